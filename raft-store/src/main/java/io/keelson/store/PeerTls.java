package io.keelson.store;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS between the members of a group, as etcd's {@code --peer-cert-file}, {@code --peer-key-file},
 * {@code --peer-trusted-ca-file} and {@code --peer-client-cert-auth}: each member serves its Raft port with its
 * certificate and checks the others' against the trusted CA. PEM files; the key as PKCS#8, PKCS#1 RSA or SEC1 EC.
 *
 * @param certFile       this member's certificate (its first certificate is used), for the host its peers dial
 * @param keyFile        its key
 * @param trustedCaFile  the CA that signs the members' certificates; null accepts any certificate, as etcd's
 *                       {@code --peer-auto-tls} does with the self-signed ones it makes (encryption without
 *                       authentication)
 * @param clientCertAuth members must also present their certificate when they connect (mutual TLS)
 */
public record PeerTls(Path certFile, Path keyFile, Path trustedCaFile, boolean clientCertAuth) {
    public PeerTls {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
        if (clientCertAuth && trustedCaFile == null) {
            throw new IllegalArgumentException("mutual TLS between members needs the CA of their certificates");
        }
    }
}
