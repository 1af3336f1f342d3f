package dev.holdfast.provisioning.tpm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.pki.Bytes;
import dev.holdfast.pki.MalformedInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.HexFormat;

/** The parsers and encoders on real swtpm structures, and on every way to break them. */
class TpmStructuresTest {

    @Test
    void parsePublic_readsTheAkTpm2CreateakWrote_andItsNameIsTheOneTheTpmReported() throws Exception {
        TpmPublic ak = TpmStructures.parsePublic(Fixtures.swtpm("ak.pub"));
        assertThat(ak.type()).isEqualTo(TpmPublic.TPM_ALG_ECC);
        assertThat(ak.nameAlg()).isEqualTo(TpmHash.SHA256);
        assertThat(ak.objectAttributes()).isEqualTo(0x00050072);
        assertThat(ak.attributeNames()).isEqualTo("fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign");
        TpmPublic.Ecc ecc = (TpmPublic.Ecc) ak.parameters();
        assertThat(ecc.curve()).isEqualTo(TpmPublic.Ecc.NIST_P256);
        assertThat(ecc.scheme()).isEqualTo(TpmSignature.TPM_ALG_ECDSA);
        assertThat(ecc.schemeHash()).isEqualTo(TpmHash.SHA256.id());
        assertThat(ak.publicKey()).isInstanceOf(ECPublicKey.class);
        assertThat(ak.name().toArray()).isEqualTo(Fixtures.swtpm("ak.name"));
        assertThat(ak.toTpm2b()).isEqualTo(Fixtures.swtpm("ak.pub"));
    }

    @Test
    void parsePublic_readsTheDefaultRsaEk() throws Exception {
        TpmPublic ek = TpmStructures.parsePublic(Fixtures.swtpm("ek.pub"));
        assertThat(ek.objectAttributes()).isEqualTo(0x000300b2);
        assertThat(ek.authPolicy().hex()).isEqualTo("837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
        TpmPublic.Rsa rsa = (TpmPublic.Rsa) ek.parameters();
        assertThat(rsa.keyBits()).isEqualTo(2048);
        assertThat(rsa.exponent()).isZero();
        assertThat(rsa.symmetric()).isEqualTo(new TpmPublic.Symmetric(TpmPublic.Symmetric.TPM_ALG_AES, 128, TpmPublic.Symmetric.TPM_ALG_CFB));
        assertThat(((RSAPublicKey) ek.publicKey()).getPublicExponent().intValue()).isEqualTo(65537);
    }

    @Test
    void defaultEkTemplate_fromTheEkCertificatesKey_isTheEkTheTpmMade() throws Exception {
        TpmPublic ek = TpmStructures.parsePublic(Fixtures.swtpm("ek.pub"));
        TpmPublic derived = TpmAttestation.defaultEkTemplate(ek.publicKey());
        assertThat(derived.name()).isEqualTo(ek.name());
        assertThat(derived.encoded()).isEqualTo(ek.encoded());
    }

    @Test
    void parseAttest_readsTpm2CertifyOutput_namingTheKey_signedByTheAk() throws Exception {
        TpmAttest attest = TpmStructures.parseAttest(Fixtures.swtpm("certify-no-nonce.attest"));
        TpmPublic key = TpmStructures.parsePublic(Fixtures.swtpm("key.pub"));
        TpmPublic ak = TpmStructures.parsePublic(Fixtures.swtpm("ak.pub"));
        assertThat(attest.certifiedName()).isEqualTo(key.name());
        // tpm2-tools 5.4's tpm2_certify always passes the fixed qualifying data 00ff55aa.
        assertThat(attest.extraData().hex()).isEqualTo("00ff55aa");
        TpmSignature sig = TpmStructures.parseSignature(Fixtures.swtpm("certify-no-nonce.sig"));
        assertThat(sig).isInstanceOf(TpmSignature.Ecdsa.class);
        assertThat(TpmStructures.verify(ak, sig, attest.encoded().toArray())).isTrue();

        byte[] tampered = attest.encoded().toArray();
        tampered[tampered.length - 1] ^= 1;
        assertThat(TpmStructures.verify(ak, sig, tampered)).isFalse();
        // The right bytes, the wrong key.
        assertThat(TpmStructures.verify(key, sig, attest.encoded().toArray())).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ek.pub", "ak.pub", "key.pub", "certify-no-nonce.attest", "certify-no-nonce.sig", "tpm2-makecredential.cred"})
    void everyTruncation_isMalformedInputWithAnOffsetInsideTheInput(String fixture) {
        byte[] full = Fixtures.swtpm(fixture);
        for (int len = 0; len < full.length; len++) {
            final int cutAt = len;
            byte[] cut = Arrays.copyOf(full, cutAt);
            assertThatThrownBy(() -> parse(fixture, cut)).as("%s cut at %d", fixture, cutAt)
                    .isInstanceOfSatisfying(MalformedInputException.class, e -> assertThat(e.offset()).isBetween(0L, (long) cutAt));
        }
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        assertThatThrownBy(() -> parse(fixture, longer)).isInstanceOf(MalformedInputException.class);
    }

    private static Object parse(String fixture, byte[] b) throws MalformedInputException {
        if (fixture.endsWith(".pub")) return TpmStructures.parsePublic(b);
        if (fixture.endsWith(".attest")) return TpmStructures.parseAttest(b);
        if (fixture.endsWith(".sig")) return TpmStructures.parseSignature(b);
        return TpmStructures.parseTpm2ToolsCredential(b);
    }

    @Test
    void parsePublic_saysWhatWasExpected() throws Exception {
        byte[] ak = Fixtures.swtpm("ak.pub");
        byte[] badType = ak.clone();
        badType[3] = 0x25; // TPM_ALG_SYMCIPHER
        assertThatThrownBy(() -> TpmStructures.parsePublic(badType)).isInstanceOf(MalformedInputException.class)
                .hasMessageContaining("type 0x0025 is not supported").hasMessageContaining("at byte 2");
        byte[] badPolicy = ak.clone();
        badPolicy[11] = 0x7f; // low byte of the authPolicy size (empty in an AK)
        assertThatThrownBy(() -> TpmStructures.parsePublic(badPolicy)).isInstanceOf(MalformedInputException.class)
                .hasMessageContaining("authPolicy size 127 exceeds its maximum of 64");
        byte[] offCurve = ak.clone();
        offCurve[offCurve.length - 1] ^= 1;
        assertThatThrownBy(() -> TpmStructures.parsePublic(offCurve)).isInstanceOf(MalformedInputException.class)
                .hasMessageContaining("not a point on P-256");
        assertThatThrownBy(() -> TpmStructures.parsePublic(new byte[TpmStructures.MAX_STRUCTURE_BYTES + 1]))
                .isInstanceOf(MalformedInputException.class).hasMessageContaining("exceeds the limit");
    }

    @Test
    void parseAttest_refusesAnythingTheTpmDidNotGenerate() throws Exception {
        byte[] attest = Fixtures.swtpm("certify-no-nonce.attest");
        byte[] notGenerated = attest.clone();
        notGenerated[0] = 0;
        assertThatThrownBy(() -> TpmStructures.parseAttest(notGenerated)).hasMessageContaining("expected TPM_GENERATED_VALUE");
        byte[] quote = attest.clone();
        quote[5] = 0x18; // TPM_ST_ATTEST_QUOTE
        assertThatThrownBy(() -> TpmStructures.parseAttest(quote)).hasMessageContaining("expected TPM_ST_ATTEST_CERTIFY");
    }

    @Test
    void tpm2ToolsCredentialFile_roundTrips() throws Exception {
        byte[] file = Fixtures.swtpm("tpm2-makecredential.cred");
        MakeCredential.Result r = TpmStructures.parseTpm2ToolsCredential(file);
        assertThat(r.tpm2ToolsFile()).isEqualTo(file);
        assertThat(r.encryptedSecret().length()).isEqualTo(256);
        assertThat(HexFormat.of().formatHex(TpmStructures.encodeIdObject(r.credentialBlob().toArray()), 0, 2)).isEqualTo("0044");
        byte[] badMagic = file.clone();
        badMagic[0] = 0;
        assertThatThrownBy(() -> TpmStructures.parseTpm2ToolsCredential(badMagic)).hasMessageContaining("expected 0xbadcc0de");
    }

    @Test
    void makeCredential_hasTheShapeOfTpm2Makecredential_andRefusesANonStorageKey() throws Exception {
        TpmPublic ek = TpmStructures.parsePublic(Fixtures.swtpm("ek.pub"));
        TpmPublic ak = TpmStructures.parsePublic(Fixtures.swtpm("ak.pub"));
        MakeCredential.Result theirs = TpmStructures.parseTpm2ToolsCredential(Fixtures.swtpm("tpm2-makecredential.cred"));
        MakeCredential.Result ours = MakeCredential.make(ek, ak.name(), new byte[32], new SecureRandom());
        assertThat(ours.credentialBlob().length()).isEqualTo(theirs.credentialBlob().length());
        assertThat(ours.encryptedSecret().length()).isEqualTo(theirs.encryptedSecret().length());
        assertThatThrownBy(() -> MakeCredential.make(ak, ak.name(), new byte[32], new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a storage key");
        assertThatThrownBy(() -> MakeCredential.make(ek, ak.name(), new byte[33], new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 1..32 bytes");
        assertThatThrownBy(() -> MakeCredential.make(ek, Bytes.wrapOwned(new byte[1]), new byte[32], new SecureRandom()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("objectName");
    }

    @Test
    void kdfa_isDeterministicAndSizedInBits() throws Exception {
        byte[] a = MakeCredential.kdfa(TpmHash.SHA256, new byte[32], "STORAGE".getBytes(), new byte[]{1}, new byte[0], 128);
        byte[] b = MakeCredential.kdfa(TpmHash.SHA256, new byte[32], "STORAGE".getBytes(), new byte[]{1}, new byte[0], 128);
        byte[] c = MakeCredential.kdfa(TpmHash.SHA256, new byte[32], "STORAGE".getBytes(), new byte[]{2}, new byte[0], 128);
        assertThat(a).hasSize(16).isEqualTo(b).isNotEqualTo(c);
        // Longer than one HMAC block: the first block is the 256-bit output's prefix only when the size field matches.
        assertThat(MakeCredential.kdfa(TpmHash.SHA256, new byte[32], "X".getBytes(), new byte[0], new byte[0], 512)).hasSize(64);
        assertThat(MakeCredential.kdfe(TpmHash.SHA256, new byte[32], "IDENTITY".getBytes(), new byte[32], new byte[32], 256)).hasSize(32);
    }
}
