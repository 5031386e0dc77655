package io.keelson.store.auth;

/**
 * Who a token speaks for, as etcd's {@code AuthInfo}.
 *
 * @param user     the user it was issued to
 * @param revision the auth revision a JSON Web Token was issued at: etcd checks a key request against it, so after
 *                 any change to users, roles or permissions the token fails with "revision of auth store is old"
 *                 until the client authenticates again; 0 for a simple token, which stands for the current state
 */
public record AuthInfo(String user, long revision) {
}
