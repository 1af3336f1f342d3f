package dev.holdfast.posture.version;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each ordering against the examples its ecosystem documents (sources in each method's comment). */
class VersionSchemeTest {

    /** Every earlier element lower than every later one, both ways round. */
    private static void assertAscending(VersionScheme s, String... versions) {
        for (int i = 0; i < versions.length; i++) {
            for (int j = i + 1; j < versions.length; j++) {
                assertThat(s.compare(versions[i], versions[j])).as("%s: %s < %s", s, versions[i], versions[j]).isNegative();
                assertThat(s.compare(versions[j], versions[i])).as("%s: %s > %s", s, versions[j], versions[i]).isPositive();
            }
        }
    }

    private static void assertEqual(VersionScheme s, String... versions) {
        for (String a : versions) for (String b : versions) assertThat(s.compare(a, b)).as("%s: %s = %s", s, a, b).isZero();
    }

    @Test
    void semver_followsSpecPrecedenceExample() {
        // semver.org 2.0.0 §11.
        assertAscending(VersionScheme.SEMVER, "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1");
        assertEqual(VersionScheme.SEMVER, "1.0.0+20130313144700", "1.0.0+exp.sha.5114f85", "1.0.0");
    }

    @Test
    void npm_stripsLeadingVAndUsesSemver() {
        // node-semver README: "v1.2.3" and "=1.2.3" are 1.2.3; 1.2.3-alpha.7 < 1.2.3 < 3.4.5-alpha.9.
        assertEqual(VersionScheme.NPM, "v1.2.3", "=1.2.3", "1.2.3");
        assertAscending(VersionScheme.NPM, "1.2.3-alpha.7", "1.2.3", "3.4.5-alpha.9", "3.4.5");
    }

    @Test
    void maven_followsComparableVersionDocumentation() {
        // maven-artifact ComparableVersionTest: VERSIONS_QUALIFIER and VERSIONS_NUMBER.
        assertAscending(VersionScheme.MAVEN, "1-alpha2snapshot", "1-alpha2", "1-alpha-123", "1-beta-2", "1-beta123", "1-m2", "1-m11", "1-rc",
                "1-cr2", "1-rc123", "1-SNAPSHOT", "1", "1-sp", "1-sp2", "1-sp123", "1-abc", "1-def", "1-pom-1", "1-1-snapshot", "1-1", "1-2", "1-123");
        assertAscending(VersionScheme.MAVEN, "2.0", "2-1", "2.0.a", "2.0.0.a", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1", "2.1.0.1",
                "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11", "11.a", "11b", "11c", "11m");
        // ComparableVersion javadoc: trailing zeros and "ga", "final", "release" are the release itself.
        assertEqual(VersionScheme.MAVEN, "1", "1.0", "1.0.0", "1-0", "1.0-0", "1.ga", "1-final", "1.RELEASE");
        assertEqual(VersionScheme.MAVEN, "1a", "1-a", "1.0-a");
        assertEqual(VersionScheme.MAVEN, "1-a1", "1-alpha-1", "1alpha1");
        assertEqual(VersionScheme.MAVEN, "1cr", "1rc", "1-rc", "1.0-CR");
    }

    @Test
    void pypi_followsPep440SummaryOrdering() {
        // PEP 440, "Summary of permitted suffixes and relative ordering".
        assertAscending(VersionScheme.PYPI, "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
                "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5",
                "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1");
        // PEP 440 normalisation: alpha=a, c=rc, rev=post, "-1" is a post release, 1.0 == 1.0.0; epochs win.
        assertEqual(VersionScheme.PYPI, "1.0alpha1", "1.0a1", "1.0-a-1", "1.0.a.1");
        assertEqual(VersionScheme.PYPI, "1.0c1", "1.0rc1", "1.0pre1", "1.0preview1");
        assertEqual(VersionScheme.PYPI, "1.0-1", "1.0.post1", "1.0rev1", "1.0r1");
        assertEqual(VersionScheme.PYPI, "1.0", "1.0.0", "v1.0");
        assertAscending(VersionScheme.PYPI, "2013.10", "1!1.0");
    }

    @Test
    void debian_followsPolicyExamples() {
        // Debian Policy 5.6.12: "~~ < ~~a < ~ < (empty) < a"; epochs win; revision compared last.
        assertAscending(VersionScheme.DEBIAN, "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a");
        assertAscending(VersionScheme.DEBIAN, "1.0~rc1-1", "1.0-1", "1.0-1+deb12u1", "1.0-2", "1.0.1-1", "1:0.9-1");
        assertAscending(VersionScheme.DEBIAN, "3.0.11-1~deb12u2", "3.0.11-1", "3.0.13-1~deb12u1");
        assertEqual(VersionScheme.DEBIAN, "0:1.0-1", "1.0-1", "1.00-1");
    }

    @Test
    void alpine_followsApkSuffixOrder() {
        // apk-tools doc and test/version.data: pre-release suffixes < release < post suffixes; letter; -rN.
        assertAscending(VersionScheme.ALPINE, "1.0_alpha", "1.0_alpha1", "1.0_beta", "1.0_pre1", "1.0_rc1", "1.0", "1.0-r1", "1.0_cvs", "1.0_git20200101",
                "1.0_p1", "1.0a", "1.0b", "1.0.1", "1.1");
        assertAscending(VersionScheme.ALPINE, "3.1.4-r5", "3.1.4-r10", "3.1.5-r0");
        assertEqual(VersionScheme.ALPINE, "1.0-r0", "1.0");
    }

    @Test
    void rpm_followsRpmvercmpTests() {
        // rpm tests/rpmvercmp.at.
        assertEqual(VersionScheme.RPM, "1.0", "1.0");
        assertAscending(VersionScheme.RPM, "1.0", "2.0");
        assertAscending(VersionScheme.RPM, "2.0.1", "2.0.1a");
        assertAscending(VersionScheme.RPM, "5.5p1", "5.5p2", "5.5p10");
        assertAscending(VersionScheme.RPM, "10xyz", "10.1xyz");
        assertAscending(VersionScheme.RPM, "xyz10", "xyz10.1");
        assertAscending(VersionScheme.RPM, "a", "1");
        assertAscending(VersionScheme.RPM, "1.0~rc1", "1.0~rc2", "1.0");
        assertAscending(VersionScheme.RPM, "1.0~rc1", "1.0~rc1^git1", "1.0");
        assertAscending(VersionScheme.RPM, "1.0", "1.0^", "1.0^git1", "1.01");
        assertEqual(VersionScheme.RPM, "1.0a", "1.0.a");
        assertEqual(VersionScheme.RPM, "1.001", "1.1");
        assertAscending(VersionScheme.RPM, "1.0-1", "1.0-2", "1:0.5-1");
    }

    @Test
    void generic_comparesNumbersAsNumbers() {
        assertAscending(VersionScheme.GENERIC, "1.2", "1.10", "1.10.1", "2.0");
        assertAscending(VersionScheme.GENERIC, "1.0rc1", "1.0.1");
    }

    @Test
    void purlTypes_mapToTheirEcosystemOrder() {
        assertThat(List.of("npm", "maven", "pypi", "deb", "apk", "rpm", "golang", "generic").stream().map(VersionScheme::forPurlType))
                .containsExactly(VersionScheme.NPM, VersionScheme.MAVEN, VersionScheme.PYPI, VersionScheme.DEBIAN, VersionScheme.ALPINE,
                        VersionScheme.RPM, VersionScheme.SEMVER, VersionScheme.GENERIC);
    }
}
