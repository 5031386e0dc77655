package io.keelson.store.server;

import io.keelson.store.raft.PemFiles;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time, as etcd's own tests make theirs with cfssl: a CA, and certificates it signs for
 * 127.0.0.1 and localhost, written as PEM files with the keys in the "traditional" forms cfssl writes
 * ({@code EC PRIVATE KEY}), which the JDK alone cannot read.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final KeyPair caKeys;
    private final X500Name caName;
    private final Path caFile;

    /** The files of one issued certificate: the certificate and its key, both PEM. */
    public record Issued(Path cert, Path key) {
    }

    private TestCertificates(Path dir, KeyPair caKeys, X500Name caName, Path caFile) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.caName = caName;
        this.caFile = caFile;
    }

    /** A new CA named {@code name}, its certificate written to {@code dir/<name>-ca.crt}. */
    public static TestCertificates newCa(Path dir, String name) throws Exception {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + name + " test CA");
        X509v3CertificateBuilder b = builder(subject, subject, keys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        Path file = dir.resolve(name + "-ca.crt");
        PemFiles.write(file, sign(b, keys));
        return new TestCertificates(dir, keys, subject, file);
    }

    /** The CA's certificate file. */
    public Path caFile() {
        return caFile;
    }

    /** A certificate for servers and clients alike (as etcd's peer certificates are), for 127.0.0.1 and localhost. */
    public Issued issue(String name) throws Exception {
        KeyPair keys = keyPair();
        X509v3CertificateBuilder b = builder(caName, new X500Name("CN=" + name), keys);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")}));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
        X509Certificate cert = sign(b, caKeys);
        Issued files = new Issued(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
        PemFiles.write(files.cert(), cert);
        PemFiles.write(files.key(), keys.getPrivate());
        return files;
    }

    private static KeyPair keyPair() throws Exception {
        // Bouncy Castle's keys write as openssl's "EC PRIVATE KEY" do: with the curve and the public key
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }
}
