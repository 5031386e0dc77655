package io.keelson.store.raft;

import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import io.keelson.store.auth.AuthChange;
import io.keelson.store.auth.AuthState;
import io.keelson.store.mvcc.Command;
import io.keelson.store.raft.proto.AuthOp;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * etcd's auth on a member: changes go through the log with passwords hashed first (bcrypt at {@code --bcrypt-cost}),
 * and Authenticate checks a password here, then issues a simple token through the log so that every member knows it.
 */
final class Authentication {
    private static final String TOKEN_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private final Supplier<CompletableFuture<AuthState>> state;
    private final Function<Command, CompletableFuture<Boolean>> propose;
    private final Executor hashing;
    private final RandomGenerator random;
    private final Tokens tokens;
    private final JwtIssuer jwt; // null: simple tokens
    private final int bcryptCost;

    /**
     * @param state    the auth state as a linearizable read sees it
     * @param tokenTtl how long a token stays valid without use
     */
    Authentication(Supplier<CompletableFuture<AuthState>> state, Function<Command, CompletableFuture<Boolean>> propose,
                   Executor hashing, RandomGenerator random, java.time.Duration tokenTtl, int bcryptCost,
                   JwtIssuer jwt) {
        this.tokens = new Tokens(System::nanoTime, tokenTtl);
        this.jwt = jwt;
        this.bcryptCost = bcryptCost;
        this.state = state;
        this.propose = propose;
        this.hashing = hashing;
        this.random = random;
    }

    /** Proposes a change; a password is hashed off the caller's thread (a bcrypt hash takes tens of ms). */
    CompletableFuture<Void> change(AuthChange change) {
        boolean password = change.kind() == AuthChange.Kind.USER_ADD
                || change.kind() == AuthChange.Kind.USER_CHANGE_PASSWORD;
        CompletableFuture<String> hash = password
                ? CompletableFuture.supplyAsync(() -> hash(change.password()), hashing)
                : CompletableFuture.completedFuture("");
        return hash.thenCompose(h -> {
            AuthOp.Builder op = AuthOp.newBuilder().setKind(change.kind().ordinal()).setName(change.name())
                    .setRole(change.role()).setPasswordHash(h);
            if (change.permission() != null) {
                op.setPermission(AuthState.proto(change.permission()));
            }
            return propose.apply(new Command.Auth(op.build()));
        }).thenApply(ok -> null);
    }

    private String hash(String password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return OpenBSDBCrypt.generate("2a", password.getBytes(StandardCharsets.UTF_8), salt, bcryptCost);
    }

    /** etcd's Authenticate: the user's password is checked here, and the token is known everywhere once applied. */
    CompletableFuture<String> authenticate(String user, String password) {
        // as etcd, after a linearizable read: a user or password just changed through another member counts
        return state.get().thenApplyAsync(auth -> {
            if (!auth.enabled()) {
                throw new StoreException(ErrorCode.AUTH_NOT_ENABLED);
            }
            AuthState.User u = auth.user(user).orElseThrow(() -> new StoreException(ErrorCode.AUTH_FAILED));
            if (u.passwordHash().isEmpty() || !OpenBSDBCrypt.checkPassword(u.passwordHash(),
                    password.getBytes(StandardCharsets.UTF_8))) {
                throw new StoreException(ErrorCode.AUTH_FAILED);
            }
            return jwt != null ? jwt.issue(user, auth.revision()) : newToken();
        }, hashing).thenCompose(token -> jwt != null ? CompletableFuture.completedFuture(token) // signed: no log entry
                : propose.apply(new Command.Auth(AuthOp.newBuilder().setKind(AuthState.TOKEN_KIND).setName(user)
                        .setToken(token).build())).thenApply(ok -> token));
    }

    /** etcd's simple token: 16 random letters, then a dot and a counter of its own (here: more randomness). */
    private String newToken() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            b.append(TOKEN_LETTERS.charAt(random.nextInt(TOKEN_LETTERS.length())));
        }
        return b.append('.').append(Long.toUnsignedString(random.nextLong() >>> 1)).toString();
    }

    Optional<io.keelson.store.auth.AuthInfo> tokenInfo(String token) {
        return jwt != null ? jwt.info(token) : tokens.user(token).map(u -> new io.keelson.store.auth.AuthInfo(u, 0));
    }

    /** Keeps the tokens in step with an auth op that applied here. */
    void applied(AuthOp op) {
        if (op.getKind() == AuthState.TOKEN_KIND) {
            tokens.issued(op.getToken(), op.getName());
            return;
        }
        if (op.getKind() == AuthChange.Kind.DISABLE.ordinal()) {
            tokens.dropAll();
        } else if (op.getKind() == AuthChange.Kind.USER_DELETE.ordinal()
                || op.getKind() == AuthChange.Kind.USER_CHANGE_PASSWORD.ordinal()) {
            tokens.dropUser(op.getName());
        }
    }
}
