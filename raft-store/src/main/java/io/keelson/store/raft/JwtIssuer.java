package io.keelson.store.raft;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.keelson.store.auth.JwtTokens;
import java.io.IOException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.util.Date;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * etcd's JWT auth tokens: claims {@code username}, {@code revision} (the auth revision it was issued at) and
 * {@code exp}, signed with the configured key; a token is valid while its signature checks and it has not expired.
 */
final class JwtIssuer {
    private final JWSAlgorithm algorithm;
    private final JWSSigner signer;
    private final JWSVerifier verifier;
    private final long ttlMillis;
    private final LongSupplier nowMillis;

    JwtIssuer(JwtTokens config, LongSupplier nowMillis) throws IOException {
        this.algorithm = JWSAlgorithm.parse(config.signMethod());
        this.ttlMillis = config.ttl().toMillis();
        this.nowMillis = nowMillis;
        PrivateKey priv = PemFiles.privateKey(config.privateKey());
        PublicKey pub = PemFiles.publicKey(config.publicKey());
        try {
            if (JWSAlgorithm.Family.EC.contains(algorithm)) {
                if (!(priv instanceof ECPrivateKey ec) || !(pub instanceof ECPublicKey ecPub)) {
                    throw new IOException("jwt sign-method " + algorithm + " needs EC keys");
                }
                signer = new ECDSASigner(ec);
                verifier = new ECDSAVerifier(ecPub);
            } else {
                if (!(pub instanceof RSAPublicKey rsa) || !"RSA".equals(priv.getAlgorithm())) {
                    throw new IOException("jwt sign-method " + algorithm + " needs RSA keys");
                }
                signer = new RSASSASigner(priv);
                verifier = new RSASSAVerifier(rsa);
            }
        } catch (JOSEException e) {
            throw new IOException("jwt keys " + config.privateKey() + ", " + config.publicKey() + ": "
                    + e.getMessage(), e);
        }
    }

    String issue(String user, long authRevision) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("username", user).claim("revision", authRevision)
                .expirationTime(new Date(nowMillis.getAsLong() + ttlMillis)).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a token failed: " + e.getMessage(), e);
        }
        return jwt.serialize();
    }

    /** The user and auth revision of a token whose signature checks and which has not expired; empty otherwise. */
    Optional<io.keelson.store.auth.AuthInfo> info(String token) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!algorithm.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            if (expires == null || expires.getTime() <= nowMillis.getAsLong()) {
                return Optional.empty();
            }
            if (!(claims.getClaim("username") instanceof String user)
                    || !(claims.getClaim("revision") instanceof Number revision) || revision.longValue() <= 0) {
                return Optional.empty();
            }
            return Optional.of(new io.keelson.store.auth.AuthInfo(user, revision.longValue()));
        } catch (ParseException | JOSEException e) {
            return Optional.empty();
        }
    }
}
