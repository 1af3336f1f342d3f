package dev.holdfast.pki.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.holdfast.events.internal.JdbcEventLog;
import dev.holdfast.pki.IssuingCaRole;
import dev.holdfast.pki.MalformedInputException;
import dev.holdfast.pki.Pki;
import dev.holdfast.pki.PkiSettings;
import dev.holdfast.pki.internal.Pkcs12KeyBackend;
import dev.holdfast.pki.ocsp.OcspResponder;
import dev.holdfast.store.Database;
import dev.holdfast.store.StoreConfig;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the OCSP request parser (RFC 6960 §4.1.1) and the responder behind it.
 *
 * <p>Invariants: {@link OcspResponder#parse} returns or throws {@link MalformedInputException};
 * {@link OcspResponder#respond} never throws and always answers with a DER OCSPResponse: {@code
 * malformedRequest} exactly when the request does not parse, otherwise {@code successful} or {@code
 * unauthorized} (never {@code internalError}); a successful answer is signed by the delegated
 * responder, answers every certificate asked about, and echoes the nonce (RFC 8954).
 *
 * <p>The responder runs on a real PKI (SQLite, PKCS#12 keys), created once for the class. Its CA
 * keys are fresh each run, so no saved request can name them; instead the seeds name a placeholder
 * issuer ({@code ocsp-placeholder-issuer.pem}) and {@link #aimedAtDevicesCa} swaps its issuer hashes
 * for the devices CA's, which takes mutated requests past the issuer match into signing.
 */
class OcspRequestFuzzTest {
    /** SHA-1 and SHA-256 issuerNameHash and issuerKeyHash of ocsp-placeholder-issuer.pem (openssl ocsp -req_text). */
    private static final List<String> PLACEHOLDER_HASHES = List.of(
            "146BEADBF1C108DBC3509F00552793FA31C2D8CD",
            "077D5098ACD620EED21A7696599FD406EDBA3B15",
            "854A7D76F0EA16AA55C3C22C81283ECBE1C105BF83F7C22701FB7D75FD65C0B5",
            "68FD6B3690708B7ADA9438225556C31C052A2F4C434D169C9FB651CEECC0B963");

    @TempDir
    static Path dir;

    private static Database db;
    private static JdbcEventLog events;
    private static Pki pki;
    private static OcspResponder responder;
    private static Map<byte[], byte[]> retarget;

    @BeforeAll
    static void startPki() throws Exception {
        db = Database.open(StoreConfig.embedded(dir));
        events = new JdbcEventLog(db);
        var keys = new Pkcs12KeyBackend(dir.resolve("ca-keys.p12"), "fuzz-test-only".toCharArray());
        pki = Pki.open(db, keys, PkiSettings.defaults(URI.create("https://holdfast.test:8443")), events, dir, List.of(),
                Clock.systemUTC()).initialize().start();
        responder = pki.ocsp();
        X509CertificateHolder devices = new X509CertificateHolder(
                pki.ca().caCertificate(IssuingCaRole.DEVICES.caName()).getEncoded());
        DigestCalculatorProvider digests = new JcaDigestCalculatorProviderBuilder().build();
        CertificateID sha1 = new CertificateID(digests.get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1)), devices, BigInteger.ONE);
        CertificateID sha256 = new CertificateID(digests.get(new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256)), devices, BigInteger.ONE);
        List<byte[]> ours = List.of(sha1.getIssuerNameHash(), sha1.getIssuerKeyHash(), sha256.getIssuerNameHash(), sha256.getIssuerKeyHash());
        retarget = new LinkedHashMap<>();
        for (int i = 0; i < ours.size(); i++) retarget.put(HexFormat.of().parseHex(PLACEHOLDER_HASHES.get(i)), ours.get(i));
    }

    @AfterAll
    static void stopPki() {
        if (pki != null) pki.close();
        if (events != null) events.close();
        if (db != null) db.close();
    }

    @FuzzTest(maxDuration = "30s")
    void parse_returnsARequestOrThrowsMalformedInput(byte[] input) {
        OCSPReq request;
        try {
            request = OcspResponder.parse(input);
        } catch (MalformedInputException expected) {
            assertThat(expected.reason()).isNotBlank();
            return;
        }
        assertThat(request.getRequestList()).hasSizeBetween(1, OcspResponder.MAX_CERTIFICATES_PER_REQUEST);
    }

    @FuzzTest(maxDuration = "30s")
    void respond_alwaysAnswersWithADerOcspResponse(byte[] input) throws Exception {
        byte[] request = aimedAtDevicesCa(input);

        OCSPResp answer = new OCSPResp(responder.respond(request));

        OCSPReq parsed;
        try {
            parsed = OcspResponder.parse(request);
        } catch (MalformedInputException e) {
            assertThat(answer.getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
            return;
        }
        assertThat(answer.getStatus()).isIn(OCSPResp.SUCCESSFUL, OCSPResp.UNAUTHORIZED);
        if (answer.getStatus() != OCSPResp.SUCCESSFUL) return;
        BasicOCSPResp basic = (BasicOCSPResp) answer.getResponseObject();
        X509CertificateHolder signer = basic.getCerts()[0];
        assertThat(basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer))).isTrue();
        assertThat(basic.getResponses()).hasSameSizeAs(parsed.getRequestList());
        Extension nonce = parsed.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
        if (nonce != null) {
            assertThat(basic.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce).getExtnValue()).isEqualTo(nonce.getExtnValue());
        }
    }

    /** Guards the retargeting: if the placeholder hashes drift from the seeds, fuzzing never reaches signing. */
    @Test
    void seedRequests_reachTheSigningPath() throws Exception {
        for (String seed : List.of("ocsp-request.der", "ocsp-request-with-nonce.der", "ocsp-request-sha256-certid.der")) {
            byte[] request;
            try (var in = OcspRequestFuzzTest.class.getResourceAsStream("OcspRequestFuzzTestInputs/" + seed)) {
                assertThat(in).as(seed).isNotNull();
                request = in.readAllBytes();
            }
            OCSPResp answer = new OCSPResp(responder.respond(aimedAtDevicesCa(request)));
            assertThat(answer.getStatus()).as(seed).isEqualTo(OCSPResp.SUCCESSFUL);
        }
    }

    /** The input with every placeholder issuer hash replaced by the devices CA's (same lengths, so DER stays intact). */
    private static byte[] aimedAtDevicesCa(byte[] input) {
        if (input == null) return null;
        byte[] out = input.clone();
        for (var e : retarget.entrySet()) {
            byte[] from = e.getKey();
            for (int i = 0; i + from.length <= out.length; i++) {
                if (Arrays.equals(out, i, i + from.length, from, 0, from.length)) {
                    System.arraycopy(e.getValue(), 0, out, i, from.length);
                    i += from.length - 1;
                }
            }
        }
        return out;
    }
}
