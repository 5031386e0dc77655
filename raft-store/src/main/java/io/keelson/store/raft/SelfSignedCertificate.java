package io.keelson.store.raft;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate for etcd's {@code --auto-tls} and {@code --peer-auto-tls}, made as etcd's
 * {@code transport.SelfCert} makes it, organization "etcd", valid for a year, for the hosts given (as IP or DNS
 * names), written as {@code cert.pem} and {@code key.pem} in a directory and reused from there on later starts. The
 * key is ECDSA P-256 where etcd's is P-521: the BoringSSL build inside Ratis' gRPC does not offer P-521.
 */
public final class SelfSignedCertificate {
    private static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSignedCertificate() {
    }

    /** The certificate and key files. */
    public record CertificateFiles(Path cert, Path key) {
    }

    /**
     * The certificate in {@code dir}, made first if it is not there.
     *
     * @param clientAuth also usable to authenticate as a client (peers connect to each other with it)
     */
    public static CertificateFiles in(Path dir, List<String> hosts, boolean clientAuth) throws IOException {
        CertificateFiles files = new CertificateFiles(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        if (Files.exists(files.cert()) && Files.exists(files.key())) {
            return files;
        }
        Files.createDirectories(dir);
        try {
            BouncyCastleProvider bc = new BouncyCastleProvider();
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", bc);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = g.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("O=etcd");
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(128, new SecureRandom()), Date.from(now), Date.from(now.plus(VALIDITY)), name,
                    keys.getPublic());
            b.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(clientAuth
                    ? new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}
                    : new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth}));
            List<GeneralName> names = new ArrayList<>();
            for (String host : hosts) {
                names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
                        : new GeneralName(GeneralName.dNSName, host));
            }
            if (!names.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            var cert = new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            PemFiles.write(files.key(), keys.getPrivate());
            PemFiles.write(files.cert(), cert);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IOException("cannot make a self-signed certificate in " + dir + ": " + e.getMessage(), e);
        }
        return files;
    }

    private static boolean isAddress(String host) {
        if (host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.contains(":")) {
            try {
                InetAddress.getByName(host); // a literal: no lookup
                return true;
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }
}
