package io.keelson.store.auth;

import com.google.protobuf.ByteString;
import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import io.keelson.store.raft.proto.AuthOp;
import io.keelson.store.raft.proto.AuthPermission;
import io.keelson.store.raft.proto.AuthRole;
import io.keelson.store.raft.proto.AuthStore;
import io.keelson.store.raft.proto.AuthUser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * etcd's auth state as applied on a member: whether auth is enabled, the users (with their bcrypt password hashes
 * and roles) and the roles (with their key permissions). Immutable; each change through the log makes a new one.
 * The permission checks are etcd's: the {@code root} role may do anything, and a key request is allowed when the
 * union of the user's permissions of the needed type covers every key it touches.
 */
public final class AuthState {
    public static final String ROOT = "root";
    /** The kind of an {@link AuthOp} that records a token issued by Authenticate. */
    public static final int TOKEN_KIND = 100;
    private static final Comparator<ByteString> KEYS = ByteString.unsignedLexicographicalComparator();
    private static final AuthState EMPTY = new AuthState(false, 0, Map.of(), Map.of());
    private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

    /** A user: its password's bcrypt hash and its roles, in name order. */
    public record User(String name, String passwordHash, List<String> roles) {
        public User {
            roles = List.copyOf(roles);
        }
    }

    private final boolean enabled;
    private final long revision;
    private final Map<String, User> users;
    private final Map<String, List<Permission>> roles;

    private AuthState(boolean enabled, long revision, Map<String, User> users, Map<String, List<Permission>> roles) {
        this.enabled = enabled;
        this.revision = revision;
        this.users = Collections.unmodifiableMap(new TreeMap<>(users));
        this.roles = Collections.unmodifiableMap(new TreeMap<>(roles));
    }

    public static AuthState empty() {
        return EMPTY;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Counts the changes applied, as etcd's auth revision. */
    public long revision() {
        return revision;
    }

    /** The users, by name. */
    public Map<String, User> users() {
        return users;
    }

    /** Each role's permissions, by role name. */
    public Map<String, List<Permission>> roles() {
        return roles;
    }

    public Optional<User> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    // ---------------------------------------------------------------- checks

    /**
     * Refuses {@code user} access of type {@code needed} (READ or WRITE) to the key, or to the keys in
     * {@code [key, rangeEnd)} (a range end of the single byte 0: every key from {@code key}), unless auth is off.
     */
    public void checkKeys(String user, ByteString key, ByteString rangeEnd, Permission.Type needed) {
        if (!enabled) {
            return;
        }
        User u = known(user);
        if (u.roles().contains(ROOT)) {
            return;
        }
        ByteString end = rangeEnd.isEmpty() ? key.concat(ZERO) : rangeEnd;
        if (!covered(u, key, openEnded(end) ? null : end, needed)) {
            throw new StoreException(ErrorCode.PERMISSION_DENIED);
        }
    }

    /** Refuses {@code user} unless it has the root role, or auth is off (etcd's admin check). */
    public void checkAdmin(String user) {
        if (enabled && !known(user).roles().contains(ROOT)) {
            throw new StoreException(ErrorCode.PERMISSION_DENIED);
        }
    }

    private User known(String user) {
        if (user == null || user.isEmpty()) {
            throw new StoreException(ErrorCode.USER_EMPTY);
        }
        User u = users.get(user);
        if (u == null) {
            throw new StoreException(ErrorCode.PERMISSION_DENIED);
        }
        return u;
    }

    private static boolean openEnded(ByteString end) {
        return end.equals(ZERO);
    }

    /** Whether the union of the user's intervals of the needed type holds {@code [key, end)} (end null: unbounded). */
    private boolean covered(User u, ByteString key, ByteString end, Permission.Type needed) {
        List<ByteString[]> intervals = new ArrayList<>();
        for (String role : u.roles()) {
            for (Permission p : roles.getOrDefault(role, List.of())) {
                if (p.type().allows(needed)) {
                    ByteString pend = p.rangeEnd().isEmpty() ? p.key().concat(ZERO)
                            : openEnded(p.rangeEnd()) ? null : p.rangeEnd();
                    intervals.add(new ByteString[] {p.key(), pend});
                }
            }
        }
        intervals.sort((x, y) -> KEYS.compare(x[0], y[0]));
        ByteString from = null;
        ByteString to = null;
        for (ByteString[] i : intervals) {
            if (from != null && (to == null || KEYS.compare(i[0], to) <= 0)) {
                to = to == null || i[1] == null ? null : KEYS.compare(i[1], to) > 0 ? i[1] : to;
            } else {
                if (from != null && holds(from, to, key, end)) {
                    return true;
                }
                from = i[0];
                to = i[1];
            }
        }
        return from != null && holds(from, to, key, end);
    }

    private static boolean holds(ByteString from, ByteString to, ByteString key, ByteString end) {
        if (KEYS.compare(from, key) > 0) {
            return false;
        }
        return to == null || end != null && KEYS.compare(end, to) <= 0;
    }

    // ---------------------------------------------------------------- changes

    /** The state after {@code op}, or the failure etcd reports for it. A token op changes nothing. */
    public AuthState apply(AuthOp op) {
        if (op.getKind() == TOKEN_KIND) {
            return this;
        }
        AuthChange.Kind kind = kindOf(op);
        Map<String, User> u = new TreeMap<>(users);
        Map<String, List<Permission>> r = new TreeMap<>(roles);
        boolean on = enabled;
        String name = op.getName();
        switch (kind) {
            case ENABLE -> {
                if (enabled) {
                    return this; // etcd answers an enable of an enabled store with success
                }
                User root = u.get(ROOT);
                if (root == null) {
                    throw new StoreException(ErrorCode.ROOT_USER_NOT_EXIST);
                }
                if (!root.roles().contains(ROOT)) {
                    throw new StoreException(ErrorCode.ROOT_ROLE_NOT_EXIST);
                }
                on = true;
            }
            case DISABLE -> {
                if (!enabled) {
                    return this;
                }
                on = false;
            }
            case USER_ADD -> {
                if (name.isEmpty()) {
                    throw new StoreException(ErrorCode.USER_EMPTY);
                }
                if (u.containsKey(name)) {
                    throw new StoreException(ErrorCode.USER_ALREADY_EXIST);
                }
                u.put(name, new User(name, op.getPasswordHash(), List.of()));
            }
            case USER_DELETE -> {
                if (enabled && name.equals(ROOT)) {
                    throw new StoreException(ErrorCode.INVALID_AUTH_MGMT);
                }
                if (u.remove(name) == null) {
                    throw new StoreException(ErrorCode.USER_NOT_FOUND);
                }
            }
            case USER_CHANGE_PASSWORD -> {
                User old = existing(u, name);
                u.put(name, new User(name, op.getPasswordHash(), old.roles()));
            }
            case USER_GRANT_ROLE -> {
                User old = existing(u, name);
                if (!op.getRole().equals(ROOT) && !r.containsKey(op.getRole())) {
                    throw new StoreException(ErrorCode.ROLE_NOT_FOUND);
                }
                if (old.roles().contains(op.getRole())) {
                    return this;
                }
                List<String> granted = new ArrayList<>(old.roles());
                granted.add(op.getRole());
                Collections.sort(granted);
                u.put(name, new User(name, old.passwordHash(), granted));
            }
            case USER_REVOKE_ROLE -> {
                if (enabled && name.equals(ROOT) && op.getRole().equals(ROOT)) {
                    throw new StoreException(ErrorCode.INVALID_AUTH_MGMT);
                }
                User old = existing(u, name);
                if (!old.roles().contains(op.getRole())) {
                    throw new StoreException(ErrorCode.ROLE_NOT_GRANTED);
                }
                List<String> left = new ArrayList<>(old.roles());
                left.remove(op.getRole());
                u.put(name, new User(name, old.passwordHash(), left));
            }
            case ROLE_ADD -> {
                if (name.isEmpty()) {
                    throw new StoreException(ErrorCode.ROLE_EMPTY);
                }
                if (r.containsKey(name)) {
                    throw new StoreException(ErrorCode.ROLE_ALREADY_EXIST);
                }
                r.put(name, List.of());
            }
            case ROLE_DELETE -> {
                if (enabled && name.equals(ROOT)) {
                    throw new StoreException(ErrorCode.INVALID_AUTH_MGMT);
                }
                if (r.remove(name) == null) {
                    throw new StoreException(ErrorCode.ROLE_NOT_FOUND);
                }
                // the role is revoked from every user that had it
                for (User user : List.copyOf(u.values())) {
                    if (user.roles().contains(name)) {
                        List<String> left = new ArrayList<>(user.roles());
                        left.remove(name);
                        u.put(user.name(), new User(user.name(), user.passwordHash(), left));
                    }
                }
            }
            case ROLE_GRANT_PERMISSION -> {
                List<Permission> perms = new ArrayList<>(existingRole(r, name));
                Permission granted = permission(op.getPermission());
                perms.removeIf(p -> p.sameKeys(granted));
                perms.add(granted);
                perms.sort((x, y) -> KEYS.compare(x.key(), y.key()));
                r.put(name, perms);
            }
            case ROLE_REVOKE_PERMISSION -> {
                List<Permission> perms = new ArrayList<>(existingRole(r, name));
                Permission revoked = permission(op.getPermission());
                if (!perms.removeIf(p -> p.sameKeys(revoked))) {
                    throw new StoreException(ErrorCode.PERMISSION_NOT_GRANTED);
                }
                r.put(name, perms);
            }
            default -> throw new IllegalStateException("unknown auth change " + kind);
        }
        return new AuthState(on, revision + 1, u, r);
    }

    /** The kind of change {@code op} makes; a kind this version does not know is refused, never half applied. */
    public static AuthChange.Kind kindOf(AuthOp op) {
        if (op.getKind() < 0 || op.getKind() >= AuthChange.Kind.values().length) {
            throw new StoreException(ErrorCode.INVALID_AUTH_MGMT);
        }
        return AuthChange.Kind.values()[op.getKind()];
    }

    private static User existing(Map<String, User> users, String name) {
        User u = users.get(name);
        if (u == null) {
            throw new StoreException(ErrorCode.USER_NOT_FOUND);
        }
        return u;
    }

    private static List<Permission> existingRole(Map<String, List<Permission>> roles, String name) {
        List<Permission> perms = roles.get(name);
        if (perms == null) {
            throw new StoreException(ErrorCode.ROLE_NOT_FOUND);
        }
        return perms;
    }

    // ---------------------------------------------------------------- encoding

    public static Permission permission(AuthPermission p) {
        if (p.getType() < 0 || p.getType() >= Permission.Type.values().length) {
            throw new StoreException(ErrorCode.INVALID_ARGUMENT);
        }
        return new Permission(Permission.Type.values()[p.getType()], p.getKey(), p.getRangeEnd());
    }

    public static AuthPermission proto(Permission p) {
        return AuthPermission.newBuilder().setType(p.type().ordinal()).setKey(p.key()).setRangeEnd(p.rangeEnd())
                .build();
    }

    public AuthStore toProto() {
        AuthStore.Builder b = AuthStore.newBuilder().setEnabled(enabled).setRevision(revision);
        users.values().forEach(u -> b.addUsers(AuthUser.newBuilder().setName(u.name())
                .setPasswordHash(u.passwordHash()).addAllRoles(u.roles())));
        roles.forEach((name, perms) -> b.addRoles(AuthRole.newBuilder().setName(name)
                .addAllPermissions(perms.stream().map(AuthState::proto).toList())));
        return b.build();
    }

    public static AuthState fromProto(AuthStore stored) {
        Map<String, User> users = new TreeMap<>();
        stored.getUsersList().forEach(u -> users.put(u.getName(), new User(u.getName(), u.getPasswordHash(),
                u.getRolesList())));
        Map<String, List<Permission>> roles = new TreeMap<>();
        stored.getRolesList().forEach(r -> roles.put(r.getName(),
                r.getPermissionsList().stream().map(AuthState::permission).toList()));
        return new AuthState(stored.getEnabled(), stored.getRevision(), users, roles);
    }
}
