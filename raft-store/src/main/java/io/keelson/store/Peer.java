package io.keelson.store;

/**
 * One member of the Raft group: its name (unique in the group) and the address its peers reach it at.
 */
public record Peer(String name, String host, int port) {
    public Peer {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("peer name must not be blank");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("peer host must not be blank");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("peer port out of range: " + port);
        }
    }

    public String address() {
        return host + ":" + port;
    }
}
