package dev.holdfast.provisioning.tpm;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TPM manufacturers' EK certificate authorities an EK certificate must chain to: the
 * self-signed ones are trust anchors, the others intermediates that may complete a chain (EK
 * certificates seldom carry their issuer). Loaded once from directories of PEM or DER files, as
 * the manufacturers publish them; immutable afterwards.
 */
public final class TpmEkRoots {
    private final Set<TrustAnchor> anchors;
    private final List<X509Certificate> intermediates;

    private TpmEkRoots(Set<TrustAnchor> anchors, List<X509Certificate> intermediates) {
        this.anchors = Set.copyOf(anchors);
        this.intermediates = List.copyOf(intermediates);
    }

    /**
     * Reads every regular file in each directory (not recursively) as one or more PEM certificates
     * or one DER certificate. A file that is neither fails the load: a half-read trust store is
     * worse than none.
     *
     * @throws IllegalArgumentException when a directory is missing, a file is not a certificate, or no root is found
     */
    public static TpmEkRoots load(Path... directories) {
        List<X509Certificate> all = new ArrayList<>();
        for (Path dir : directories) {
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("EK roots directory " + dir + " does not exist");
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    if (f.getFileName().toString().toLowerCase().matches(".*\\.(md|txt)$")) continue;
                    all.addAll(read(f));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list EK roots in " + dir, e);
            }
        }
        return of(all);
    }

    /** From certificates already in memory: self-signed ones become anchors. */
    public static TpmEkRoots of(Collection<X509Certificate> certificates) {
        Set<TrustAnchor> anchors = new HashSet<>();
        List<X509Certificate> intermediates = new ArrayList<>();
        for (X509Certificate c : certificates) {
            if (isSelfSigned(c)) anchors.add(new TrustAnchor(c, null));
            else intermediates.add(c);
        }
        if (anchors.isEmpty()) throw new IllegalArgumentException("no self-signed EK root among " + certificates.size() + " certificates");
        return new TpmEkRoots(anchors, intermediates);
    }

    public int anchorCount() {
        return anchors.size();
    }

    public int intermediateCount() {
        return intermediates.size();
    }

    /**
     * Builds and validates a PKIX path (RFC 5280 §6) from {@code ekCertificate} to one of the
     * anchors at {@code at}, with the intermediates given here plus {@code extraChain} (those the
     * device sent). Revocation is not checked: manufacturers publish EK CRLs unevenly, and a leaked
     * EK is handled by refusing the enrollment, not by the CA.
     *
     * @return the validated chain, EK certificate first, anchor excluded
     * @throws GeneralSecurityException when no valid path exists; the message says why
     */
    public List<X509Certificate> validate(X509Certificate ekCertificate, Collection<X509Certificate> extraChain, Instant at)
            throws GeneralSecurityException {
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(ekCertificate);
        PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
        params.setRevocationEnabled(false);
        params.setDate(Date.from(at));
        List<Certificate> store = new ArrayList<>(intermediates);
        store.addAll(extraChain);
        store.add(ekCertificate);
        params.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(store)));
        params.setMaxPathLength(4);
        var result = (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
        List<X509Certificate> chain = new ArrayList<>();
        for (Certificate c : result.getCertPath().getCertificates()) chain.add((X509Certificate) c);
        return List.copyOf(chain);
    }

    private static boolean isSelfSigned(X509Certificate c) {
        if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) return false;
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<X509Certificate> read(Path f) {
        try {
            byte[] bytes = Files.readAllBytes(f);
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(bytes))) certs.add((X509Certificate) c);
            if (certs.isEmpty()) throw new IllegalArgumentException("EK root file " + f + " holds no certificate");
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read EK root " + f, e);
        } catch (CertificateException e) {
            throw new IllegalArgumentException("EK root file " + f + " is not a PEM or DER X.509 certificate: " + e.getMessage(), e);
        }
    }
}
