package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A Kubernetes label selector: requirements that must all hold ({@code app=web,tier in (front,back),!canary}).
 * Parsed from the string form kubectl and the REST API use ({@link #parse}) or built from a resource's
 * {@code matchLabels}/{@code matchExpressions} ({@link #of}), with apimachinery's semantics: {@code !=} and
 * {@code notin} match objects without the key; an empty selector matches everything.
 */
public final class LabelSelector {
    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

    /** One requirement on one key. */
    public record Requirement(String key, Operator operator, List<String> values) {
        public Requirement {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(operator, "operator");
            List<String> sorted = new ArrayList<>(values);
            java.util.Collections.sort(sorted); // sorted as apimachinery's safeSort, duplicates kept
            values = List.copyOf(sorted);
        }

        boolean matches(Map<String, String> labels) {
            String v = labels == null ? null : labels.get(key);
            return switch (operator) {
                case IN, EQUALS, DOUBLE_EQUALS -> v != null && values.contains(v);
                case NOT_IN, NOT_EQUALS -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
                case GREATER_THAN, LESS_THAN -> v != null && compares(v);
            };
        }

        private boolean compares(String v) {
            try {
                long actual = Long.parseLong(v);
                long bound = Long.parseLong(values.get(0));
                return operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return switch (operator) {
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
                case IN, NOT_IN -> key + " " + operator.text + " (" + String.join(",", values) + ")";
                default -> key + operator.text + values.get(0);
            };
        }
    }

    /** The selection operators of apimachinery's {@code selection.Operator}. */
    public enum Operator {
        EQUALS("="), DOUBLE_EQUALS("=="), NOT_EQUALS("!="), IN("in"), NOT_IN("notin"), EXISTS("exists"),
        DOES_NOT_EXIST("!"), GREATER_THAN(">"), LESS_THAN("<");
        // GREATER_THAN and LESS_THAN print as ">" and "<" in selectors, "gt" and "lt" in messages

        final String text;

        Operator(String text) {
            this.text = text;
        }
    }

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        this.requirements = List.copyOf(requirements);
        this.nothing = nothing;
    }

    /** Matches every object. */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** Matches no object (a nil selector on a resource). */
    public static LabelSelector nothing() {
        return NOTHING;
    }

    /**
     * Parses the string form; an empty or blank string selects everything.
     *
     * @throws ApiException BadRequest with apimachinery's parse error
     */
    public static LabelSelector parse(String selector) {
        if (selector == null || selector.chars().allMatch(c -> SelectorParser.isWhitespace((char) c))) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>(new SelectorParser(selector).parse());
        requirements.sort(java.util.Comparator.comparing(Requirement::key));
        return new LabelSelector(requirements, false);
    }

    /**
     * A resource's selector ({@code spec.selector}): matchLabels and matchExpressions ANDed; null selects nothing,
     * an empty one everything ({@code metav1.LabelSelectorAsSelector}).
     *
     * @throws ApiException BadRequest when an expression is malformed
     */
    public static LabelSelector of(io.fabric8.kubernetes.api.model.LabelSelector selector) {
        if (selector == null) {
            return NOTHING;
        }
        List<Requirement> reqs = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((k, v) -> reqs.add(requirement(k, Operator.EQUALS, List.of(v))));
        }
        if (selector.getMatchExpressions() != null) {
            for (LabelSelectorRequirement e : selector.getMatchExpressions()) {
                Operator op = switch (String.valueOf(e.getOperator())) {
                    case "In" -> Operator.IN;
                    case "NotIn" -> Operator.NOT_IN;
                    case "Exists" -> Operator.EXISTS;
                    case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                    default -> throw Statuses.badRequest(FieldError.quote(e.getOperator() == null ? "" : e.getOperator())
                            + " is not a valid pod selector operator");
                };
                reqs.add(requirement(e.getKey(), op, e.getValues() == null ? List.of() : e.getValues()));
            }
        }
        reqs.sort(java.util.Comparator.comparing(Requirement::key));
        return new LabelSelector(reqs, false);
    }

    /**
     * A requirement, validated as apimachinery's {@code labels.NewRequirement} does.
     *
     * @throws ApiException BadRequest for an invalid key or value, or a wrong number of values
     */
    public static Requirement requirement(String key, Operator op, List<String> values) {
        return requirement(key, op, values, "key", "");
    }

    /**
     * @param keyPath how the key's field path prints (the parser's requirements have none: {@code <nil>})
     * @param prefix  what goes before the message ({@code unable to parse requirement: } for the parser)
     */
    static Requirement requirement(String key, Operator op, List<String> values, String keyPath, String prefix) {
        checkKey(key, keyPath, prefix);
        List<String> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        List<String> errors = new ArrayList<>();
        switch (op) {
            case IN, NOT_IN -> {
                if (values.isEmpty()) {
                    errors.add("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty");
                }
            }
            case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
                if (values.size() != 1) {
                    errors.add("values: Invalid value: " + FieldError.render(sorted)
                            + ": exact-match compatibility requires one single value");
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!values.isEmpty()) {
                    errors.add("values: Invalid value: " + FieldError.render(sorted)
                            + ": values set must be empty for exists and does not exist");
                }
            }
            case GREATER_THAN, LESS_THAN -> {
                if (values.size() != 1) {
                    errors.add("values: Invalid value: " + FieldError.render(sorted)
                            + ": for 'Gt', 'Lt' operators, exactly one value is required");
                }
                for (int i = 0; i < sorted.size(); i++) {
                    try {
                        Long.parseLong(sorted.get(i));
                    } catch (NumberFormatException e) {
                        errors.add("values[" + i + "]: Invalid value: " + FieldError.quote(sorted.get(i))
                                + ": for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                }
            }
        }
        for (int i = 0; i < sorted.size(); i++) {
            List<String> valueErrors = Names.labelValue(sorted.get(i));
            if (!valueErrors.isEmpty()) {
                errors.add("values[" + i + "][" + key + "]: Invalid value: " + FieldError.quote(sorted.get(i)) + ": "
                        + String.join("; ", valueErrors));
            }
        }
        if (!errors.isEmpty()) {
            List<String> unique = new ArrayList<>(new java.util.LinkedHashSet<>(errors));
            throw Statuses.badRequest(prefix + (unique.size() == 1 ? unique.get(0) : "[" + String.join(", ", unique) + "]"));
        }
        return new Requirement(key, op, values);
    }

    /** A label key, checked as {@code labels.NewRequirement} checks it (the parser checks it before the operator). */
    static void checkKey(String key, String keyPath, String prefix) {
        List<String> errors = Names.labelKey(key);
        if (!errors.isEmpty()) {
            throw Statuses.badRequest(prefix + keyPath + ": Invalid value: " + FieldError.quote(key) + ": "
                    + String.join("; ", errors));
        }
    }

    /** Whether an object with these labels (null for none) is selected. */
    public boolean matches(Map<String, String> labels) {
        if (nothing) {
            return false;
        }
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return !nothing && requirements.isEmpty();
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    /** The string form (requirements sorted by key), which {@link #parse} reads back. */
    @Override
    public String toString() {
        return requirements.stream().map(Requirement::toString).collect(Collectors.joining(","));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector s && s.nothing == nothing && s.requirements.equals(requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode() * 31 + (nothing ? 1 : 0);
    }
}
