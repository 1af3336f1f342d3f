package dev.holdfast.server.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.device.internal.DeviceTls;
import dev.holdfast.pki.TlsPolicy;
import org.junit.jupiter.api.Test;

/** The device SDK carries a copy of the TLS policy (it must not depend on pki); the copy must stay equal. */
class DeviceTlsPolicyTest {
    @Test
    void deviceTlsPolicy_equalsThePkiTlsPolicy() {
        assertThat(DeviceTls.PROTOCOLS).containsExactly(TlsPolicy.protocols());
        assertThat(DeviceTls.CIPHER_SUITES).containsExactly(TlsPolicy.cipherSuites());
        assertThat(DeviceTls.NAMED_GROUPS).containsExactly(TlsPolicy.namedGroups());
        assertThat(DeviceTls.SIGNATURE_SCHEMES).containsExactly(TlsPolicy.signatureSchemes());
    }
}
