package dev.holdfast.provisioning;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What a device presents to prove who it is, as the transport received it. Each kind has one attestor;
 * the registration logic never looks inside.
 */
public sealed interface AttestationEvidence {

    /** The TLS client certificate chain, leaf first, as the handshake received it (signatures checked there). */
    record X509(List<X509Certificate> chain) implements AttestationEvidence {
        public X509 {
            chain = List.copyOf(chain == null ? List.of() : chain);
        }

        public boolean isEmpty() {
            return chain.isEmpty();
        }
    }

    /**
     * TPM 2.0 evidence (endorsement key, attestation key, and on the second request the activation
     * proof and certified key), attested by {@code internal.TpmAttestor} over
     * {@code dev.holdfast.provisioning.tpm} (docs/provisioning-tpm.md).
     *
     * @param body the {@code tpm} member of the registration body, as JSON text
     */
    record Tpm(String body) implements AttestationEvidence {
    }

    /** Nothing (no client certificate, no TPM member). */
    record None() implements AttestationEvidence {
    }
}
