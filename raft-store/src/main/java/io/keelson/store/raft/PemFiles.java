package io.keelson.store.raft;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;

/**
 * Certificates and keys from PEM files, in the forms etcd reads (cfssl's and openssl's): a key as PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}); the JDK alone reads
 * only the first. For TLS on the client port and between members, and the certificates Keelson makes itself.
 */
public final class PemFiles {
    private PemFiles() {
    }

    /** Every certificate in the file, in order (a certificate and its chain, or a CA bundle). */
    public static X509Certificate[] certificates(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast).toList();
            if (certs.isEmpty()) {
                throw new IOException(file + " holds no certificate");
            }
            return certs.toArray(X509Certificate[]::new);
        } catch (CertificateException e) {
            throw new IOException(file + " holds no readable certificate: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a certificate or a key as PEM; a key goes in the traditional form ({@code EC PRIVATE KEY},
     * {@code RSA PRIVATE KEY}) as openssl and cfssl write it, a PKCS#8 generator's output as {@code PRIVATE KEY}.
     */
    public static void write(Path file, Object certificateOrKey) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(text)) {
            w.writeObject(certificateOrKey);
        }
        Files.writeString(file, text.toString());
    }

    /** The public key of a PEM file: a {@code PUBLIC KEY}, a certificate's, or a key pair's. */
    public static java.security.PublicKey publicKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof org.bouncycastle.asn1.x509.SubjectPublicKeyInfo info) {
                    return converter.getPublicKey(info);
                }
                if (o instanceof org.bouncycastle.cert.X509CertificateHolder cert) {
                    return converter.getPublicKey(cert.getSubjectPublicKeyInfo());
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPublicKey(pair.getPublicKeyInfo());
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " holds no readable public key: " + e.getMessage(), e);
        }
        throw new IOException(file + " holds no public key (PEM PUBLIC KEY or CERTIFICATE)");
    }

    /** The file's private key; encrypted keys are refused, as etcd refuses them. */
    public static PrivateKey privateKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo()); // SEC1 may leave out the public key
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + " holds no readable private key: " + e.getMessage(), e);
        }
        throw new IOException(file + " holds no private key (PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY;"
                + " encrypted keys are not supported, as in etcd)");
    }
}
