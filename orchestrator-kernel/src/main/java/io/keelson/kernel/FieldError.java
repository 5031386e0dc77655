package io.keelson.kernel;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One validation failure on one field, printed as apimachinery's {@code field.Error} is
 * ({@code spec.replicas: Invalid value: -1: must be greater than or equal to 0}).
 */
record FieldError(Type type, String field, Object value, String detail) {
    /** apimachinery's {@code field.ErrorType}s, with their text and their Status cause type. */
    enum Type {
        INVALID("Invalid value", "FieldValueInvalid"),
        REQUIRED("Required value", "FieldValueRequired"),
        FORBIDDEN("Forbidden", "FieldValueForbidden"),
        NOT_SUPPORTED("Unsupported value", "FieldValueNotSupported"),
        DUPLICATE("Duplicate value", "FieldValueDuplicate"),
        TOO_LONG("Too long", "FieldValueTooLong"),
        TOO_MANY("Too many", "FieldValueTooMany");

        final String text;
        final String causeType;

        Type(String text, String causeType) {
            this.text = text;
            this.causeType = causeType;
        }
    }

    static FieldError invalid(String field, Object value, String detail) {
        return new FieldError(Type.INVALID, field, value, detail);
    }

    static FieldError required(String field, String detail) {
        return new FieldError(Type.REQUIRED, field, null, detail);
    }

    static FieldError forbidden(String field, String detail) {
        return new FieldError(Type.FORBIDDEN, field, null, detail);
    }

    static FieldError duplicate(String field, Object value) {
        return new FieldError(Type.DUPLICATE, field, value, "");
    }

    static FieldError notSupported(String field, Object value, List<String> supported) {
        return new FieldError(Type.NOT_SUPPORTED, field, value,
                "supported values: " + supported.stream().map(s -> quote(s)).collect(Collectors.joining(", ")));
    }

    static FieldError tooLong(String field, int max) {
        return new FieldError(Type.TOO_LONG, field, null, "may not be more than " + max + " bytes");
    }

    /** The message without the field: what a Status cause carries. */
    String body() {
        StringBuilder s = new StringBuilder(type.text);
        switch (type) {
            case REQUIRED, FORBIDDEN, TOO_LONG, TOO_MANY -> {
                if (!detail.isEmpty()) {
                    s.append(": ").append(detail);
                }
            }
            default -> {
                s.append(": ").append(render(value));
                if (!detail.isEmpty()) {
                    s.append(": ").append(detail);
                }
            }
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return field + ": " + body();
    }

    /**
     * Values as kube-apiserver (1.34 and later) prints them: strings quoted, numbers and booleans as they are,
     * anything else as JSON.
     */
    static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return quote(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        return GO_JSON.writeValueAsString(goOrder(value));
    }

    /** Go's encoding/json: map keys sorted; structs in their Go field order (ownerReferences here). */
    private static final tools.jackson.databind.json.JsonMapper GO_JSON = tools.jackson.databind.json.JsonMapper.builder()
            .enable(tools.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private static Object goOrder(Object value) {
        if (value instanceof io.fabric8.kubernetes.api.model.OwnerReference r) {
            return new GoOwnerReference(r.getApiVersion(), r.getKind(), r.getName(), r.getUid(), r.getController(),
                    r.getBlockOwnerDeletion());
        }
        if (value instanceof List<?> l) {
            return l.stream().map(FieldError::goOrder).toList();
        }
        return value;
    }

    /** metav1.OwnerReference's fields in their Go order. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    @com.fasterxml.jackson.annotation.JsonPropertyOrder({"apiVersion", "kind", "name", "uid", "controller",
            "blockOwnerDeletion"})
    private record GoOwnerReference(String apiVersion, String kind, String name, String uid, Boolean controller,
                                    Boolean blockOwnerDeletion) {
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                case '\f' -> b.append("\\f");
                case '\b' -> b.append("\\b");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
