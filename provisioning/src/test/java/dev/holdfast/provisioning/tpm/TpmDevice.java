package dev.holdfast.provisioning.tpm;

import dev.holdfast.pki.MalformedInputException;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

/** The device's steps, driven through {@code device.sh} on a {@link Swtpm}; each fails the test when the tool fails. */
final class TpmDevice {
    static final String KEY_HANDLE = "0x81000003";
    static final String OTHER_KEY_HANDLE = "0x81000004";

    private final Swtpm tpm;

    TpmDevice(Swtpm tpm) {
        this.tpm = tpm;
    }

    Swtpm tpm() {
        return tpm;
    }

    /** {@code tpm2_createek} and {@code tpm2_createak}. */
    void enroll(String ekAlg, String akAlg) {
        tpm.device("enroll", ekAlg, akAlg).assertSuccess("device.sh enroll " + ekAlg + " " + akAlg);
    }

    byte[] ekPublic() {
        return tpm.read("ek.pub");
    }

    byte[] akPublic() {
        return tpm.read("ak.pub");
    }

    /** Activates a tpm2-tools credential file; returns the secret. */
    byte[] activate(byte[] credentialFile) {
        tpm.write("cred.bin", credentialFile);
        tpm.device("activate", "cred.bin", "secret.bin").assertSuccess("device.sh activate");
        return tpm.read("secret.bin");
    }

    /** A signing key created in the TPM and persisted at {@code handle}; returns its TPM2B_PUBLIC. */
    byte[] createKey(String handle, String prefix) {
        tpm.device("create-key", handle, prefix).assertSuccess("device.sh create-key");
        return tpm.read(prefix + ".pub");
    }

    record Certification(byte[] attest, byte[] signature) {
    }

    Certification certify(String handle, byte[] nonce) {
        tpm.device("certify", handle, HexFormat.of().formatHex(nonce)).assertSuccess("device.sh certify");
        return new Certification(tpm.read("certify.attest"), tpm.read("certify.sig"));
    }

    Certification certifyWithoutNonce(String handle) {
        tpm.device("certify-no-nonce", handle).assertSuccess("device.sh certify-no-nonce");
        return new Certification(tpm.read("certify.attest"), tpm.read("certify.sig"));
    }

    /**
     * A PKCS#10 request for the TPM key at {@code handle}: the CertificationRequestInfo is built here,
     * its SHA-256 digest is signed by the TPM ({@code tpm2_sign}, ECDSA), and the DER is assembled.
     */
    byte[] csr(String handle, byte[] keyPublic, String commonName) {
        try {
            TpmPublic key = TpmStructures.parsePublic(keyPublic);
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.publicKey().getEncoded());
            ContentSigner tpmSigner = new ContentSigner() {
                private final ByteArrayOutputStream info = new ByteArrayOutputStream();

                @Override
                public AlgorithmIdentifier getAlgorithmIdentifier() {
                    return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
                }

                @Override
                public OutputStream getOutputStream() {
                    return info;
                }

                @Override
                public byte[] getSignature() {
                    tpm.write("csr.digest", TpmHash.SHA256.digest(info.toByteArray()));
                    tpm.device("sign", handle, "csr.digest", "csr.sig").assertSuccess("device.sh sign");
                    return tpm.read("csr.sig");
                }
            };
            return new PKCS10CertificationRequestBuilder(new X500Name("CN=" + commonName), spki).build(tpmSigner).getEncoded();
        } catch (MalformedInputException e) {
            throw new AssertionError("the TPM's key public area does not parse", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
