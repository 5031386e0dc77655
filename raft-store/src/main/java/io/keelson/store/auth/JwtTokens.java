package io.keelson.store.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * etcd's {@code --auth-token jwt,pub-key=...,priv-key=...,sign-method=...,ttl=...}: tokens are JSON Web Tokens signed
 * with the private key and checked with the public key (a {@code PUBLIC KEY} or a certificate), so that every member
 * accepts them without a log entry.
 *
 * @param publicKey  PEM file of the key that checks tokens
 * @param privateKey PEM file of the key that signs them
 * @param signMethod an RSA or ECDSA JWS algorithm: RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512
 * @param ttl        how long a token is valid after it is issued (etcd's default 5 minutes)
 */
public record JwtTokens(Path publicKey, Path privateKey, String signMethod, Duration ttl) {
    public static final List<String> SIGN_METHODS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
            "ES256", "ES384", "ES512");

    public JwtTokens {
        if (publicKey == null || privateKey == null) {
            throw new IllegalArgumentException("jwt tokens need a pub-key and a priv-key");
        }
        if (!SIGN_METHODS.contains(signMethod)) {
            throw new IllegalArgumentException("jwt sign-method must be one of " + SIGN_METHODS + ", not '"
                    + signMethod + "'");
        }
        if (ttl == null || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("jwt ttl must be positive");
        }
    }

    /**
     * Reads the value of etcd's {@code --auth-token} for JWT, as {@code jwt,pub-key=k.pub,priv-key=k.pem,
     * sign-method=RS256,ttl=5m} (ttl in Go's duration form: 300s, 5m, 1h).
     */
    public static JwtTokens parse(String flag) {
        String[] parts = flag.split(",");
        if (!parts[0].equals("jwt")) {
            throw new IllegalArgumentException("not a jwt token option: '" + flag + "'");
        }
        Path pub = null;
        Path priv = null;
        String method = null;
        Duration ttl = Duration.ofMinutes(5);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            String value = eq < 0 ? "" : parts[i].substring(eq + 1);
            switch (key) {
                case "pub-key" -> pub = Path.of(value);
                case "priv-key" -> priv = Path.of(value);
                case "sign-method" -> method = value;
                case "ttl" -> ttl = goDuration(value);
                default -> throw new IllegalArgumentException("unknown token option '" + key + "' in '" + flag + "'");
            }
        }
        if (method == null) {
            throw new IllegalArgumentException("jwt tokens need a sign-method");
        }
        return new JwtTokens(pub, priv, method, ttl);
    }

    private static Duration goDuration(String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(value);
        if (!m.matches()) {
            throw new IllegalArgumentException("jwt ttl: expected a duration such as 300s, 5m or 1h, got '" + value
                    + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
