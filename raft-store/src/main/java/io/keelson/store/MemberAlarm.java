package io.keelson.store;

/**
 * An alarm raised on one member, as etcd's {@code AlarmMember}. Alarms are replicated: every member
 * sees the same set.
 *
 * @param memberId the member that raised it
 */
public record MemberAlarm(long memberId, Type type) {

    /** etcd's alarm types (NONE is not an alarm; CORRUPT is not raised by Keelson). */
    public enum Type {
        /** The state database outgrew its quota: writes that take space fail until the alarm is disarmed. */
        NOSPACE
    }

    public MemberAlarm {
        if (type == null) {
            throw new NullPointerException("type");
        }
    }
}
