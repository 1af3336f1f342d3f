package dev.holdfast.posture;

import java.util.List;

/**
 * One thing to do about a device, ranked by the risk it removes.
 *
 * @param action  what to do ("upgrade openssl to 3.0.13", "disable telnet", "isolate the device ...")
 * @param because the advisories or checks it resolves
 * @param risk    the risk (0..100) of the worst item it resolves
 */
public record Recommendation(int rank, String action, List<String> because, double risk) {
    public Recommendation {
        because = List.copyOf(because);
    }
}
