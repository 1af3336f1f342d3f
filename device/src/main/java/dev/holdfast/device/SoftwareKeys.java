package dev.holdfast.device;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Optional;

/**
 * EC P-256 keys held in memory. For devices without a secure element, and for the simulator, which
 * makes thousands of them.
 */
public final class SoftwareKeys {
    private SoftwareKeys() {
    }

    /** A fresh P-256 key pair (NIST curve secp256r1, the curve Holdfast's device profiles issue for). */
    public static DeviceKey generateP256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return of(g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate P-256 keys: " + e.getMessage(), e);
        }
    }

    public static DeviceKey of(KeyPair pair) {
        return new Software(pair.getPrivate(), pair.getPublic());
    }

    private record Software(PrivateKey privateKey, PublicKey publicKey) implements DeviceKey {
        @Override
        public Optional<Provider> provider() {
            return Optional.empty();
        }

        @Override
        public String signatureAlgorithm() {
            return privateKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        }

        @Override
        public String location() {
            return "software";
        }

        @Override
        public String toString() {
            return "DeviceKey[software " + publicKey.getAlgorithm() + "]"; // never the private key
        }
    }
}
