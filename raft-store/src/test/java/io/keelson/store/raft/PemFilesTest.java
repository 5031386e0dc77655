package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys in the PEM forms etcd's certificate tools write, and files that hold none. */
class PemFilesTest {
    @TempDir
    Path dir;

    private Path write(String name, Object pem) throws IOException {
        Path file = dir.resolve(name);
        PemFiles.write(file, pem);
        return file;
    }

    private static KeyPair keys(String algorithm) throws Exception {
        return KeyPairGenerator.getInstance(algorithm, new BouncyCastleProvider()).generateKeyPair();
    }

    @Test
    void rsaKeys_asPkcs1AndPkcs8() throws Exception {
        KeyPair rsa = keys("RSA");
        Path pkcs1 = write("rsa.key", rsa.getPrivate());
        Path pkcs8 = write("rsa8.key", new JcaPKCS8Generator(rsa.getPrivate(), null).generate());

        assertThat(Files.readString(pkcs1)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(pkcs8)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PemFiles.privateKey(pkcs1).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
        assertThat(PemFiles.privateKey(pkcs8).getEncoded()).isEqualTo(rsa.getPrivate().getEncoded());
    }

    @Test
    void ecKeys_asSec1() throws Exception {
        KeyPair ec = keys("EC");
        Path sec1 = write("ec.key", ec.getPrivate());

        assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(PemFiles.privateKey(sec1).getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void aFileWithoutAKey_orWithoutACertificate_isAnErrorNamingIt() throws Exception {
        Path cert = Files.writeString(dir.resolve("empty.pem"), "no pem here\n");

        assertThatThrownBy(() -> PemFiles.privateKey(cert)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(cert + " holds no private key");
        assertThatThrownBy(() -> PemFiles.certificates(cert)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(cert + " holds no");
    }
}
