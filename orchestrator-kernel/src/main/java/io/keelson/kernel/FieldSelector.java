package io.keelson.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A Kubernetes field selector ({@code spec.nodeName=node-1,status.phase!=Running}): equality requirements on the
 * field labels a type supports ({@link ResourceType#fieldSelectors()}), ANDed. Values escape {@code \ , =} with a
 * backslash, as apimachinery's {@code fields.ParseSelector} reads them; a missing field reads as "".
 */
public final class FieldSelector {
    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    /** One requirement: the field equals (or, when {@code negated}, does not equal) the value. */
    public record Requirement(String field, boolean negated, String value) {
        @Override
        public String toString() {
            return field + (negated ? "!=" : "=") + escape(value);
        }
    }

    private final List<Requirement> requirements;

    private FieldSelector(List<Requirement> requirements) {
        this.requirements = List.copyOf(requirements);
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /** {@code field=value} or {@code field!=value}. */
    public static FieldSelector of(String field, String value) {
        return new FieldSelector(List.of(new Requirement(field, false, value)));
    }

    /**
     * Parses the string form; an empty string selects everything.
     *
     * @throws ApiException BadRequest ({@code invalid selector: ...}) when malformed
     */
    public static FieldSelector parse(String selector) {
        if (selector == null || selector.isEmpty()) {
            return EVERYTHING;
        }
        List<String> terms = split(selector, ',');
        java.util.Collections.sort(terms);
        List<Requirement> reqs = new ArrayList<>();
        for (String term : terms) {
            if (!term.isEmpty()) {
                reqs.add(requirement(selector, term));
            }
        }
        return new FieldSelector(reqs);
    }

    /** Splits at the first index where {@code !=}, {@code ==} or {@code =} starts (the field is taken as is). */
    private static Requirement requirement(String selector, String term) {
        for (int i = 0; i < term.length(); i++) {
            for (String op : new String[] {"!=", "==", "="}) {
                if (term.startsWith(op, i)) {
                    return new Requirement(term.substring(0, i), op.equals("!="),
                            unescape(term.substring(i + op.length())));
                }
            }
        }
        throw Statuses.badRequest("invalid selector: '" + selector + "'; can't understand '" + term + "'");
    }

    /**
     * Checks that the type supports every field this selector names.
     *
     * @throws ApiException BadRequest with the message kube-apiserver's field label conversion gives for the type
     */
    void checkSupported(ResourceType<?> type) {
        for (Requirement r : requirements) {
            // the scheme's default conversion takes metadata.namespace from any type without labels of its own
            boolean defaultNamespace = r.field().equals("metadata.namespace") && !ownLabels(type);
            if (!type.fieldSelectors().containsKey(r.field()) && !defaultNamespace) {
                throw Statuses.badRequest(unsupported(type, r.field()));
            }
        }
    }

    private static boolean ownLabels(ResourceType<?> type) {
        return type.fieldSelectors().size() > (type.namespaced() ? 2 : 1);
    }

    /** Types with their own field labels have their own message; the rest get the scheme's default one. */
    private static String unsupported(ResourceType<?> type, String field) {
        boolean ownLabels = ownLabels(type);
        if (!ownLabels) {
            return FieldError.quote(field) + " is not a known field selector: only \"metadata.name\", "
                    + "\"metadata.namespace\"";
        }
        return type.group().isEmpty() ? "field label not supported: " + field
                : "field label " + FieldError.quote(field) + " not supported for " + type.kind();
    }

    /** Whether an object whose field labels read as {@code fieldValue} gives is selected. */
    public boolean matches(Function<String, String> fieldValue) {
        for (Requirement r : requirements) {
            String v = fieldValue.apply(r.field());
            boolean equal = r.value().equals(v == null ? "" : v);
            if (equal == r.negated()) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSelector s && s.requirements.equals(requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode();
    }

    private static List<String> split(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                current.append(c).append(s.charAt(++i));
            } else if (c == separator) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unescape(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                if (i + 1 >= value.length() || "\\,=".indexOf(value.charAt(i + 1)) < 0) {
                    String sequence = value.substring(i, Math.min(i + 2, value.length()));
                    throw Statuses.badRequest("invalid field selector: invalid escape sequence: " + sequence);
                }
                b.append(value.charAt(++i));
            } else if (c == '=' || c == ',') {
                throw Statuses.badRequest("invalid field selector: unescaped character in value: " + (int) c);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    static String escape(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }
}
