package dev.holdfast.pki.est;

import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.internal.CsrValidator;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedDataGenerator;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * The EST wire formats of RFC 7030 (as clarified by RFC 8951): base64 bodies without MIME headers,
 * certificates as a degenerate PKCS#7 "certs-only" SignedData.
 */
public final class EstMessages {
    /** Base64 of the largest CSR we accept, with line breaks. */
    public static final int MAX_BODY_BYTES = CsrValidator.MAX_CSR_BYTES * 2;
    // LF line breaks: RFC 8951 §3.2 says receivers must accept base64 with or without breaks; LF also suits
    // the common command-line decoders (coreutils base64 rejects CR).
    private static final Base64.Encoder MIME = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private EstMessages() {
    }

    /**
     * Decodes a simpleenroll/simplereenroll body (RFC 7030 §4.2.1: base64-encoded DER PKCS#10).
     * Tolerates line breaks and a PEM armour, since common clients send either.
     */
    public static byte[] decodeCsrBody(byte[] body) throws MalformedInputException {
        if (body == null || body.length == 0) throw new MalformedInputException(0, "empty body (expected a base64 PKCS#10 request, RFC 7030 §4.2.1)");
        if (body.length > MAX_BODY_BYTES) throw new MalformedInputException(MAX_BODY_BYTES, "body of " + body.length + " bytes exceeds the limit of " + MAX_BODY_BYTES);
        StringBuilder b64 = new StringBuilder(body.length);
        String text = new String(body, StandardCharsets.ISO_8859_1);
        boolean armoured = text.contains("-----BEGIN");
        boolean inside = !armoured;
        for (String line : text.split("\r?\n|\r")) {
            String l = line.trim();
            if (l.startsWith("-----BEGIN")) {
                inside = true;
                continue;
            }
            if (l.startsWith("-----END")) {
                inside = false;
                continue;
            }
            if (!inside) continue;
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c == ' ' || c == '\t') continue;
                boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
                if (!ok) throw new MalformedInputException(-1, "body is not base64 (character 0x" + Integer.toHexString(c) + "), RFC 7030 §4.2.1 requires base64 DER");
                b64.append(c);
            }
        }
        if (b64.isEmpty()) throw new MalformedInputException(0, "body holds no base64 data (RFC 7030 §4.2.1)");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(b64.toString());
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(-1, "body is not valid base64: " + e.getMessage());
        }
        CsrValidator.parse(der);
        return der;
    }

    /** A certs-only CMS SignedData (RFC 5652 §5 with no signers), base64 with LF line breaks. */
    public static byte[] certsOnly(List<X509Certificate> certificates) {
        try {
            CMSSignedDataGenerator g = new CMSSignedDataGenerator();
            for (X509Certificate c : certificates) g.addCertificate(new X509CertificateHolder(c.getEncoded()));
            byte[] der = g.generate(new CMSProcessableByteArray(new byte[0]), false).getEncoded("DER");
            return MIME.encode(der);
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode certs-only response", e);
        }
    }

    /**
     * The CSR attributes (RFC 7030 §4.5.2): we want an EC P-256 key signed with ECDSA-SHA256,
     * which is what the device profiles expect. Other allowed keys are still accepted.
     */
    public static byte[] csrAttributes() {
        try {
            ASN1EncodableVector v = new ASN1EncodableVector();
            v.add(X9ObjectIdentifiers.ecdsa_with_SHA256);
            v.add(new Attribute(X9ObjectIdentifiers.id_ecPublicKey, new DERSet(SECObjectIdentifiers.secp256r1)));
            return MIME.encode(new DERSequence(v).getEncoded("DER"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
