package dev.holdfast.pki.internal;

import dev.holdfast.pki.spi.Signer;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;

/** A signer over a JCA private key, software or PKCS#11 (through the provider that owns the key). */
final class JcaSigner implements Signer {
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String algorithm;
    private final Provider provider;
    private final String location;

    JcaSigner(PrivateKey privateKey, PublicKey publicKey, String algorithm, Provider provider, String location) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        this.algorithm = algorithm;
        this.provider = provider;
        this.location = location;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    @Override
    public String signatureAlgorithm() {
        return algorithm;
    }

    @Override
    public ContentSigner contentSigner() {
        try {
            JcaContentSignerBuilder b = new JcaContentSignerBuilder(algorithm);
            if (provider != null) b.setProvider(provider);
            return b.build(privateKey);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign with " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public String toString() {
        return "JcaSigner[" + location + "]"; // never the key
    }
}
