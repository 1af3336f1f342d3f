package dev.holdfast.posture;

/** A firmware image: the device model it runs on and its version (what SBOMs are uploaded for). */
public record FirmwareImage(String model, String version) {
    public FirmwareImage {
        if (model == null || !model.matches("[A-Za-z0-9._-]{1,128}")) throw new IllegalArgumentException("model: '" + model + "' (expected: a device model id)");
        if (version == null || version.isEmpty() || version.length() > 128 || version.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("version: '" + version + "' (expected: 1..128 printable characters)");
        }
    }

    @Override
    public String toString() {
        return model + "@" + version;
    }
}
