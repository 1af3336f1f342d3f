package dev.holdfast.pki.internal;

import dev.holdfast.pki.CaInfo;
import dev.holdfast.pki.spi.Signer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;

import java.security.cert.X509Certificate;
import java.util.Optional;

/** An active CA loaded for signing: its certificate, its key, and the values every issuance reuses. */
public record Authority(String name, CaInfo.Role role, X509Certificate certificate, X509CertificateHolder holder,
                        Signer signer, byte[] subjectKeyId, Optional<String> parent) {
    public X500Name subject() {
        return holder.getSubject();
    }
}
