package io.keelson.store.auth;

import java.util.Objects;

/**
 * One change to etcd's auth state, applied through the log on every member: enabling or disabling auth, or a change
 * to a user, a role or a role's permissions.
 *
 * @param kind       what changes
 * @param name       the user or role it changes (empty for enable and disable)
 * @param role       the role granted or revoked ({@link Kind#USER_GRANT_ROLE}, {@link Kind#USER_REVOKE_ROLE})
 * @param password   the new password in clear ({@link Kind#USER_ADD}, {@link Kind#USER_CHANGE_PASSWORD}); the member
 *                   stores only its bcrypt hash
 * @param permission the permission granted or revoked (for a revoke, only its keys count)
 */
public record AuthChange(Kind kind, String name, String role, String password, Permission permission) {
    /** The kinds of change, one per etcd Auth RPC that writes. */
    public enum Kind {
        ENABLE, DISABLE, USER_ADD, USER_DELETE, USER_CHANGE_PASSWORD, USER_GRANT_ROLE, USER_REVOKE_ROLE, ROLE_ADD,
        ROLE_DELETE, ROLE_GRANT_PERMISSION, ROLE_REVOKE_PERMISSION
    }

    public AuthChange {
        Objects.requireNonNull(kind, "kind");
        name = name == null ? "" : name;
        role = role == null ? "" : role;
        password = password == null ? "" : password;
    }

    public static AuthChange enable() {
        return new AuthChange(Kind.ENABLE, "", "", "", null);
    }

    public static AuthChange disable() {
        return new AuthChange(Kind.DISABLE, "", "", "", null);
    }

    public static AuthChange userAdd(String user, String password) {
        return new AuthChange(Kind.USER_ADD, user, "", password, null);
    }

    public static AuthChange userDelete(String user) {
        return new AuthChange(Kind.USER_DELETE, user, "", "", null);
    }

    public static AuthChange userChangePassword(String user, String password) {
        return new AuthChange(Kind.USER_CHANGE_PASSWORD, user, "", password, null);
    }

    public static AuthChange grantRole(String user, String role) {
        return new AuthChange(Kind.USER_GRANT_ROLE, user, role, "", null);
    }

    public static AuthChange revokeRole(String user, String role) {
        return new AuthChange(Kind.USER_REVOKE_ROLE, user, role, "", null);
    }

    public static AuthChange roleAdd(String role) {
        return new AuthChange(Kind.ROLE_ADD, role, "", "", null);
    }

    public static AuthChange roleDelete(String role) {
        return new AuthChange(Kind.ROLE_DELETE, role, "", "", null);
    }

    public static AuthChange grantPermission(String role, Permission permission) {
        return new AuthChange(Kind.ROLE_GRANT_PERMISSION, role, "", "", permission);
    }

    public static AuthChange revokePermission(String role, Permission permission) {
        return new AuthChange(Kind.ROLE_REVOKE_PERMISSION, role, "", "", permission);
    }
}
