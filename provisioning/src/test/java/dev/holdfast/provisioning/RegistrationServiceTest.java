package dev.holdfast.provisioning;

import dev.holdfast.testing.TestManufacturerCa;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.events.StoredEvent;
import dev.holdfast.pki.Bytes;
import dev.holdfast.registry.Authentication;
import dev.holdfast.registry.Device;
import dev.holdfast.registry.DeviceId;
import dev.holdfast.registry.DeviceStatus;
import dev.holdfast.registry.JsonDocument;
import dev.holdfast.registry.LifecycleState;
import dev.holdfast.registry.Precondition;
import dev.holdfast.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistrationServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static EnrollmentSettings settings(ReprovisionPolicy re, AllocationPolicy allocation) {
        return new EnrollmentSettings(true, JsonDocument.parse("{\"mode\":\"initial\",\"rate\":5}"), JsonDocument.parse("{\"site\":\"factory\"}"),
                Optional.empty(), false, allocation, List.of(), re, null, Optional.of(Duration.ofDays(7)));
    }

    private static byte[] body(String registrationId, String extra) {
        return ("{\"registrationId\":\"" + registrationId + "\"" + extra + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static String csrMember(String cn) {
        return ",\"csr\":\"" + Base64.getEncoder().encodeToString(TestManufacturerCa.csr(cn, TestManufacturerCa.newKeyPair())) + "\"";
    }

    private static AttestationEvidence.X509 evidence(TestManufacturerCa.Device d) {
        return new AttestationEvidence.X509(d.chain());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.Kind.class)
    void register_withGroupAndCsr_assignsHubWritesRegistryAndIssuesChainToTheRoot(TestDatabases.Kind kind) throws Exception {
        try (ProvisioningFixture f = ProvisioningFixture.open(kind, dir)) {
            Provisioning p = f.provisioning;
            TestManufacturerCa maker = TestManufacturerCa.root("Acme Devices Root");
            f.verifiedCa("acme", maker);
            p.linkHub(new LinkedHub("hub-a", "hub-a.example.test", 1, "eu", true), "test");
            p.createGroup(new Enrollment.Group("meters", new EnrollmentAttestation.X509Ca("acme"), settings(ReprovisionPolicy.MIGRATE, null),
                    Instant.now(), Instant.now(), 1), "test");
            TestManufacturerCa.Device d = maker.device("meter-001");

            RegistrationOperation op = p.registrations().register(p.idScope(), "meter-001", body("meter-001", csrMember("meter-001")), evidence(d), "127.0.0.1");

            assertThat(op.status()).isEqualTo(RegistrationStatus.ASSIGNED);
            RegistrationState s = op.state().orElseThrow();
            assertThat(s.assignedHub()).isEqualTo("hub-a.example.test");
            assertThat(s.deviceId()).isEqualTo("meter-001");
            assertThat(s.substatus()).isEqualTo(Substatus.INITIAL_ASSIGNMENT);
            assertThat(s.enrollment()).isEqualTo("group:meters");
            List<X509Certificate> chain = new ArrayList<>();
            for (Bytes b : s.issuedCertificateChain()) {
                chain.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(b.toArray())));
            }
            assertThat(chain.get(0).getSubjectX500Principal().getName()).contains("CN=meter-001");
            X509Certificate root = chain.get(chain.size() - 1);
            assertThat(f.pki.ca().trustAnchors()).contains(root);
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            params.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain.subList(0, chain.size() - 1)), params);
            assertThat(Duration.between(chain.get(0).getNotBefore().toInstant(), chain.get(0).getNotAfter().toInstant())).isLessThanOrEqualTo(Duration.ofDays(7).plusMinutes(10));

            Device dev = f.devices().get(new DeviceId("meter-001"));
            assertThat(dev.hub()).contains("hub-a.example.test");
            assertThat(dev.lifecycle()).isEqualTo(LifecycleState.PROVISIONED);
            assertThat(dev.authentication()).isInstanceOf(Authentication.CaSigned.class);
            assertThat(dev.twin().desired().get("mode").asText()).isEqualTo("initial");
            assertThat(dev.tags().get("site").asText()).isEqualTo("factory");

            RegistrationOperation polled = p.registrations().operationStatus(p.idScope(), "meter-001", op.operationId(), evidence(d), "127.0.0.1");
            assertThat(polled.state().orElseThrow().assignedHub()).isEqualTo("hub-a.example.test");
            assertThat(polled.state().orElseThrow().issuedCertificateChain()).isEqualTo(s.issuedCertificateChain());
            assertThat(f.events("provisioning.registration.assigned")).hasSize(1);
        }
    }

    @Test
    void register_sameRequestWhileFresh_returnsTheSameOperationAndIssuesOnce() {
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir)) {
            Provisioning p = standard(f);
            TestManufacturerCa.Device d = maker.device("meter-002");
            byte[] body = body("meter-002", csrMember("meter-002"));
            RegistrationOperation first = p.registrations().register(p.idScope(), "meter-002", body, evidence(d), "127.0.0.1");
            RegistrationOperation again = p.registrations().register(p.idScope(), "meter-002", body, evidence(d), "127.0.0.1");
            assertThat(again.operationId()).isEqualTo(first.operationId());
            assertThat(again.state().orElseThrow().issuedCertificateChain()).isEqualTo(first.state().orElseThrow().issuedCertificateChain());
            assertThat(f.pki.ca().search(dev.holdfast.pki.CertificateFilter.byDevice("meter-002"))).hasSize(1);
        }
    }

    private TestManufacturerCa maker;

    private Provisioning standard(ProvisioningFixture f) {
        return standard(f, ReprovisionPolicy.MIGRATE);
    }

    private Provisioning standard(ProvisioningFixture f, ReprovisionPolicy re) {
        Provisioning p = f.provisioning;
        maker = TestManufacturerCa.root("Acme Devices Root");
        f.verifiedCa("acme", maker);
        p.linkHub(new LinkedHub("hub-a", "hub-a.example.test", 1, "eu", true), "test");
        p.createGroup(new Enrollment.Group("meters", new EnrollmentAttestation.X509Ca("acme"), settings(re, new AllocationPolicy.Static("hub-a")),
                Instant.now(), Instant.now(), 1), "test");
        return p;
    }

    private static String code(Runnable r) {
        try {
            r.run();
        } catch (ProvisioningRefusedException e) {
            return e.refusal().code();
        }
        throw new AssertionError("expected a refusal");
    }

    @Test
    void register_refusesEachBadCaseWithItsCodeAndAnEvent() {
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir)) {
            Provisioning p = standard(f);
            RegistrationService r = p.registrations();
            String scope = p.idScope();
            TestManufacturerCa.Device good = maker.device("dev-1");

            assertThat(code(() -> r.register(scope, "dev-1", "{not json".getBytes(), evidence(good), "10.0.0.1"))).isEqualTo("malformed-body");
            assertThat(code(() -> r.register(scope, "dev-1", body("dev-1", ",\"csr\":\"AAAA\""), evidence(good), "10.0.0.1"))).isEqualTo("malformed-csr");
            assertThat(code(() -> r.register(scope, "dev-1", body("dev-1", csrMember("someone-else")), evidence(good), "10.0.0.1"))).isEqualTo("csr-cn-mismatch");
            assertThat(code(() -> r.register(scope, "dev-1", body("dev-1", ""), evidence(maker.device("dev-2")), "10.0.0.1"))).isEqualTo("cn-mismatch");
            assertThat(code(() -> r.register("0neWRONG", "dev-1", body("dev-1", ""), evidence(good), "10.0.0.1"))).isEqualTo("unknown-id-scope");
            assertThat(code(() -> r.register(scope, "dev-1", body("dev-1", ""), new AttestationEvidence.None(), "10.0.0.1"))).isEqualTo("no-credential");
            assertThat(code(() -> r.register(scope, "dev-1", body("dev-1", ",\"tpm\":{\"endorsementKey\":\"AAAA\"}"), new AttestationEvidence.None(), "10.0.0.1")))
                    .isEqualTo("malformed-tpm");

            TestManufacturerCa.Device expired = maker.device("dev-3", Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)));
            assertThat(code(() -> r.register(scope, "dev-3", body("dev-3", ""), evidence(expired), "10.0.0.1"))).isEqualTo("certificate-expired");

            TestManufacturerCa stranger = TestManufacturerCa.root("Unknown Maker");
            assertThat(code(() -> r.register(scope, "dev-4", body("dev-4", ""), evidence(stranger.device("dev-4")), "10.0.0.1"))).isEqualTo("untrusted-certificate");
            p.uploadManufacturerCa("unverified", ProvisioningFixture.der(stranger.certificate), Optional.empty(), "test");
            assertThat(code(() -> r.register(scope, "dev-4", body("dev-4", ""), evidence(stranger.device("dev-4")), "10.0.0.1"))).isEqualTo("ca-not-verified");

            TestManufacturerCa.Device revoked = maker.device("dev-5");
            p.setManufacturerCrl("acme", Optional.of(crlDer(maker, revoked.leaf())), "test");
            assertThat(code(() -> r.register(scope, "dev-5", body("dev-5", ""), evidence(revoked), "10.0.0.1"))).isEqualTo("certificate-revoked");
            assertThat(r.register(scope, "dev-1", body("dev-1", ""), evidence(good), "10.0.0.1").status()).isEqualTo(RegistrationStatus.ASSIGNED);

            p.setEnabled("group", "meters", false, "test");
            assertThat(code(() -> r.register(scope, "dev-6", body("dev-6", ""), evidence(maker.device("dev-6")), "10.0.0.1"))).isEqualTo("enrollment-disabled");
            p.deleteEnrollment("group", "meters", "test");
            assertThat(code(() -> r.register(scope, "dev-6", body("dev-6", ""), evidence(maker.device("dev-6")), "10.0.0.1"))).isEqualTo("no-enrollment");

            List<StoredEvent> refused = f.events("provisioning.registration.refused");
            assertThat(refused).extracting(e -> String.valueOf(e.event().details().get("code"))).contains("malformed-body", "malformed-csr", "csr-cn-mismatch",
                    "cn-mismatch", "certificate-expired", "untrusted-certificate", "ca-not-verified", "certificate-revoked", "enrollment-disabled", "no-enrollment");
        }
    }

    private static byte[] crlDer(TestManufacturerCa ca, X509Certificate... revoked) {
        try {
            return ca.crl(revoked).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void register_overTheDeviceLimit_isThrottledWith429() {
        Provisioning.Settings s = new Provisioning.Settings("", 3, 1000, Duration.ofSeconds(60), 2, null);
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir, s)) {
            Provisioning p = standard(f);
            TestManufacturerCa.Device d = maker.device("dev-1");
            for (int i = 0; i < 3; i++) p.registrations().register(p.idScope(), "dev-1", body("dev-1", ""), evidence(d), "10.0.0.1");
            ProvisioningRefusedException e = org.junit.jupiter.api.Assertions.assertThrows(ProvisioningRefusedException.class,
                    () -> p.registrations().register(p.idScope(), "dev-1", body("dev-1", ""), evidence(d), "10.0.0.1"));
            assertThat(e.refusal().httpStatus()).isEqualTo(429);
            assertThat(e.refusal().errorCode()).isEqualTo(429001);
            assertThat(e.refusal().message()).contains("dev-1").contains("3");
            assertThat(f.events("provisioning.registration.refused")).anyMatch(ev -> "rate-limited".equals(ev.event().details().get("code")));
        }
    }

    @Test
    void register_overTheSourceLimit_isThrottledBeforeAttestation() {
        Provisioning.Settings s = new Provisioning.Settings("", 0, 2, Duration.ofSeconds(60), 2, null);
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir, s)) {
            Provisioning p = standard(f);
            p.registrations().register(p.idScope(), "dev-1", body("dev-1", ""), evidence(maker.device("dev-1")), "192.0.2.7");
            p.registrations().register(p.idScope(), "dev-2", body("dev-2", ""), evidence(maker.device("dev-2")), "192.0.2.7");
            ProvisioningRefusedException e = org.junit.jupiter.api.Assertions.assertThrows(ProvisioningRefusedException.class,
                    () -> p.registrations().register(p.idScope(), "dev-3", body("dev-3", ""), new AttestationEvidence.None(), "192.0.2.7"));
            assertThat(e.refusal().httpStatus()).isEqualTo(429);
            assertThat(e.refusal().message()).contains("192.0.2.7").contains("2 registration requests per minute");
            // Another source is not affected.
            assertThat(p.registrations().register(p.idScope(), "dev-3", body("dev-3", ""), evidence(maker.device("dev-3")), "192.0.2.8").status())
                    .isEqualTo(RegistrationStatus.ASSIGNED);
        }
    }

    @Test
    void reprovision_policiesAreObservedOnTwinData() {
        for (ReprovisionPolicy re : ReprovisionPolicy.values()) {
            Path sub = dir.resolve(re.wireName());
            try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, sub)) {
                Provisioning p = standard(f, re);
                TestManufacturerCa.Device d = maker.device("dev-1");
                p.registrations().register(p.idScope(), "dev-1", body("dev-1", ""), evidence(d), "10.0.0.1");
                DeviceId id = new DeviceId("dev-1");
                f.devices().patchDesired(id, JsonDocument.parse("{\"mode\":\"changed\",\"extra\":1}"), Precondition.none(), "operator");
                f.devices().mergeTags(id, JsonDocument.parse("{\"site\":\"field\"}"), Precondition.none(), "operator");
                // The hub set changes: the static hub moves, so the assignment would change.
                p.linkHub(new LinkedHub("hub-b", "hub-b.example.test", 1, "eu", true), "test");
                p.linkHub(new LinkedHub("hub-a", "hub-a.example.test", 1, "eu", false), "test");
                Enrollment.Group g = (Enrollment.Group) p.enrollment("group", "meters");
                p.deleteEnrollment("group", "meters", "test");
                p.createGroup(new Enrollment.Group("meters", g.attestation(), settings(re, new AllocationPolicy.Static("hub-b")), g.createdAt(), Instant.now(), 1), "test");

                RegistrationState s = p.registrations().register(p.idScope(), "dev-1", body("dev-1", ",\"payload\":{\"n\":2}"), evidence(d), "10.0.0.1")
                        .state().orElseThrow();
                Device dev = f.devices().get(id);
                switch (re) {
                    case MIGRATE -> {
                        assertThat(s.substatus()).isEqualTo(Substatus.DEVICE_DATA_MIGRATED);
                        assertThat(dev.hub()).contains("hub-b.example.test");
                        assertThat(dev.twin().desired().get("mode").asText()).isEqualTo("changed");
                        assertThat(dev.tags().get("site").asText()).isEqualTo("field");
                    }
                    case RESET -> {
                        assertThat(s.substatus()).isEqualTo(Substatus.DEVICE_DATA_RESET);
                        assertThat(dev.hub()).contains("hub-b.example.test");
                        assertThat(dev.twin().desired().get("mode").asText()).isEqualTo("initial");
                        assertThat(dev.twin().desired().get("extra")).isNull();
                        assertThat(dev.tags().get("site").asText()).isEqualTo("factory");
                    }
                    case NEVER -> {
                        assertThat(s.substatus()).isEqualTo(Substatus.INITIAL_ASSIGNMENT);
                        assertThat(dev.hub()).contains("hub-a.example.test");
                        assertThat(s.assignedHub()).isEqualTo("hub-a.example.test");
                        assertThat(dev.twin().desired().get("mode").asText()).isEqualTo("changed");
                    }
                }
            }
        }
    }

    @Test
    void deprovision_revokesCertificatesDecommissionsAndRefusesTheNextRegistration() {
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir)) {
            Provisioning p = standard(f);
            TestManufacturerCa.Device d = maker.device("dev-1");
            p.registrations().register(p.idScope(), "dev-1", body("dev-1", csrMember("dev-1")), evidence(d), "10.0.0.1");

            Provisioning.Deprovisioned out = p.deprovision("dev-1", "returned to vendor (RMA 77)", "operator");

            assertThat(out.revokedSerials()).hasSize(1);
            assertThat(f.pki.ca().find(out.revokedSerials().get(0)).orElseThrow().isRevoked()).isTrue();
            Device dev = f.devices().get(new DeviceId("dev-1"));
            assertThat(dev.lifecycle()).isEqualTo(LifecycleState.DECOMMISSIONED);
            assertThat(dev.status()).isEqualTo(DeviceStatus.DISABLED);
            assertThat(dev.statusReason().orElseThrow()).contains("RMA 77");
            assertThat(p.registration("dev-1").orElseThrow().status()).isEqualTo(RegistrationStatus.DISABLED);
            assertThat(f.events("provisioning.device.deprovisioned")).singleElement()
                    .satisfies(e -> assertThat(e.event().details().get("reason")).isEqualTo("returned to vendor (RMA 77)"));
            assertThat(code(() -> p.registrations().register(p.idScope(), "dev-1", body("dev-1", ",\"payload\":{}"), evidence(d), "10.0.0.1")))
                    .isEqualTo("device-decommissioned");
        }
    }

    @Test
    void individualX509Enrollment_admitsOnlyItsThumbprintAndGivesItsDeviceId() {
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir)) {
            Provisioning p = standard(f);
            TestManufacturerCa.Device d = maker.device("special-1");
            p.createIndividual(new Enrollment.Individual("special-1", new EnrollmentAttestation.X509Leaf(
                    dev.holdfast.provisioning.internal.X509Attestor.thumbprint(d.leaf())), Optional.of("plant-7-pump"),
                    EnrollmentSettings.defaults(), Instant.now(), Instant.now(), 1), "test");
            RegistrationState s = p.registrations().register(p.idScope(), "special-1", body("special-1", ""), evidence(d), "10.0.0.1").state().orElseThrow();
            assertThat(s.deviceId()).isEqualTo("plant-7-pump");
            assertThat(s.enrollment()).isEqualTo("individual:special-1");
            assertThat(code(() -> p.registrations().register(p.idScope(), "special-1", body("special-1", ""), evidence(maker.device("special-1")), "10.0.0.1")))
                    .isEqualTo("thumbprint-mismatch");
        }
    }

    @Test
    void manufacturerCa_proofWithWrongCodeOrKey_isRefusedAndGroupsNeedAVerifiedCa() {
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir)) {
            Provisioning p = f.provisioning;
            TestManufacturerCa maker = TestManufacturerCa.root("Acme");
            ManufacturerCa up = p.uploadManufacturerCa("acme", ProvisioningFixture.der(maker.certificate), Optional.empty(), "test");
            assertThat(up.verified()).isFalse();
            assertThat(up.verificationCode()).hasSize(32);
            assertThatThrownBy(() -> p.createGroup(new Enrollment.Group("g", new EnrollmentAttestation.X509Ca("acme"), EnrollmentSettings.defaults(),
                    Instant.now(), Instant.now(), 1), "test")).isInstanceOf(ProvisioningRefusedException.class).hasMessageContaining("not verified");
            assertThatThrownBy(() -> p.verifyManufacturerCa("acme", ProvisioningFixture.der(maker.proof("WRONGCODE")), "test"))
                    .hasMessageContaining("not the verification code");
            TestManufacturerCa other = TestManufacturerCa.root("Acme");
            assertThatThrownBy(() -> p.verifyManufacturerCa("acme", ProvisioningFixture.der(other.proof(up.verificationCode())), "test"))
                    .hasMessageContaining("not signed");
            assertThat(p.verifyManufacturerCa("acme", ProvisioningFixture.der(maker.proof(up.verificationCode())), "test").verified()).isTrue();
            assertThat(f.events("provisioning.ca.")).extracting(e -> e.event().activity())
                    .contains("provisioning.ca.uploaded", "provisioning.ca.verification.refused", "provisioning.ca.verified");
        }
    }

    @Test
    void intermediateCaGroup_admitsDevicesOfTheIntermediateOnly() {
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir)) {
            Provisioning p = f.provisioning;
            TestManufacturerCa root = TestManufacturerCa.root("Acme Root");
            TestManufacturerCa line1 = root.intermediate("Acme Line 1");
            f.verifiedCa("line1", line1);
            p.linkHub(new LinkedHub("hub-a", "hub-a.example.test", 1, "", true), "test");
            p.createGroup(new Enrollment.Group("line1", new EnrollmentAttestation.X509Ca("line1"), EnrollmentSettings.defaults(), Instant.now(), Instant.now(), 1), "test");
            assertThat(p.registrations().register(p.idScope(), "d1", body("d1", ""), evidence(line1.device("d1")), "10.0.0.1").status())
                    .isEqualTo(RegistrationStatus.ASSIGNED);
            assertThat(code(() -> p.registrations().register(p.idScope(), "d2", body("d2", ""), evidence(root.device("d2")), "10.0.0.1")))
                    .isEqualTo("untrusted-certificate");
        }
    }

    @Test
    void operationStatus_forAnotherCredential_isRefused() {
        try (ProvisioningFixture f = ProvisioningFixture.open(TestDatabases.Kind.SQLITE, dir)) {
            Provisioning p = standard(f);
            RegistrationOperation op = p.registrations().register(p.idScope(), "dev-1", body("dev-1", ""), evidence(maker.device("dev-1")), "10.0.0.1");
            assertThat(code(() -> p.registrations().operationStatus(p.idScope(), "dev-1", op.operationId(), evidence(maker.device("dev-1")), "10.0.0.1")))
                    .isEqualTo("not-the-registrant");
            assertThat(code(() -> p.registrations().operationStatus(p.idScope(), "dev-1", "nope", evidence(maker.device("dev-1")), "10.0.0.1")))
                    .isEqualTo("operation-not-found");
            JsonNode json = readTree(DpsJson.operation(op));
            assertThat(json.path("registrationState").path("assignedHub").asText()).isEqualTo("hub-a.example.test");
        }
    }

    private static JsonNode readTree(byte[] b) {
        try {
            return JSON.readTree(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
