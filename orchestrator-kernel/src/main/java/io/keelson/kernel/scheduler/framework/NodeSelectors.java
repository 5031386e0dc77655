package io.keelson.kernel.scheduler.framework;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Node selector terms as Kubernetes' component-helpers match them: terms are ORed, a term's expressions and
 * fields ANDed; a term with neither selects nothing; a requirement that does not parse makes its term match
 * nothing.
 */
public final class NodeSelectors {
    private NodeSelectors() {
    }

    /** A parsed node selector; {@link #matches(Node)} is cheap. */
    public static final class Selector {
        private final List<Term> terms;

        private Selector(List<Term> terms) {
            this.terms = terms;
        }

        public boolean matches(Node node) {
            return matches(node.getMetadata().getName(), node.getMetadata().getLabels() == null ? Map.of()
                    : node.getMetadata().getLabels());
        }

        /** Whether a node of this name and these labels matches. */
        public boolean matches(String nodeName, Map<String, String> labels) {
            for (Term t : terms) {
                if (t.matches(nodeName, labels)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * One term: label requirements and {@code metadata.name} field requirements.
     *
     * @param error why the term does not parse (it then matches nothing); null if it parses
     */
    record Term(List<NodeSelectorRequirement> expressions, List<NodeSelectorRequirement> fields, String error) {
        boolean matches(String name, Map<String, String> labels) {
            if (error != null) {
                return false;
            }
            for (NodeSelectorRequirement r : expressions) {
                if (!matchesLabel(r, labels)) {
                    return false;
                }
            }
            if (name != null && !name.isEmpty()) {
                for (NodeSelectorRequirement r : fields) {
                    String value = "metadata.name".equals(r.getKey()) ? name : "";
                    boolean in = r.getValues().get(0).equals(value);
                    if ("In".equals(r.getOperator()) != in) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** Parses required terms (empty terms dropped, as upstream). */
    public static Selector of(NodeSelector selector) {
        List<Term> terms = new ArrayList<>();
        if (selector != null && selector.getNodeSelectorTerms() != null) {
            for (NodeSelectorTerm t : selector.getNodeSelectorTerms()) {
                Term term = term(t);
                if (term != null) {
                    terms.add(term);
                }
            }
        }
        return new Selector(terms);
    }

    /** Parses one term; null for an empty term. */
    public static Selector ofTerm(NodeSelectorTerm t) {
        Term term = term(t);
        return new Selector(term == null ? List.of() : List.of(term));
    }

    /** Why the term does not parse, or null (for preferred terms, whose errors fail the pod's scoring). */
    public static String parseError(NodeSelectorTerm t) {
        Term term = term(t);
        return term == null ? null : term.error();
    }

    private static Term term(NodeSelectorTerm t) {
        List<NodeSelectorRequirement> expressions = t.getMatchExpressions() == null ? List.of()
                : t.getMatchExpressions();
        List<NodeSelectorRequirement> fields = t.getMatchFields() == null ? List.of() : t.getMatchFields();
        if (expressions.isEmpty() && fields.isEmpty()) {
            return null;
        }
        String error = null;
        for (int i = 0; i < expressions.size() && error == null; i++) {
            error = labelRequirementError(expressions.get(i), "matchExpressions[" + i + "]");
        }
        for (int i = 0; i < fields.size() && error == null; i++) {
            error = fieldRequirementError(fields.get(i));
        }
        return new Term(expressions, fields, error);
    }

    private static String labelRequirementError(NodeSelectorRequirement r, String path) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        String op = r.getOperator();
        if (r.getKey() == null || !LabelSyntax.isQualifiedName(r.getKey())) {
            return path + ".key: Invalid value: \"" + r.getKey() + "\": name part must consist of alphanumeric"
                    + " characters, '-', '_' or '.', and must start and end with an alphanumeric character";
        }
        switch (op == null ? "" : op) {
            case "In", "NotIn" -> {
                if (values.isEmpty()) {
                    return path + ".values: Required value: must be specified when `operator` is 'In' or 'NotIn'";
                }
            }
            case "Exists", "DoesNotExist" -> {
                if (!values.isEmpty()) {
                    return path + ".values: Forbidden: may not be specified when `operator` is 'Exists' or"
                            + " 'DoesNotExist'";
                }
            }
            case "Gt", "Lt" -> {
                if (values.size() != 1) {
                    return path + ".values: Required value: must be specified single value when `operator` is"
                            + " 'Lt' or 'Gt'";
                }
                try {
                    Long.parseLong(values.get(0));
                } catch (NumberFormatException e) {
                    return path + ".values[0]: Invalid value: \"" + values.get(0) + "\": must be an integer";
                }
                return null;
            }
            default -> {
                return path + ".operator: Invalid value: \"" + op + "\": not a valid selector operator";
            }
        }
        for (String v : values) {
            if (!LabelSyntax.isLabelValue(v)) {
                return path + ".values: Invalid value: \"" + v + "\": a valid label must be an empty string or"
                        + " consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
                        + " alphanumeric character";
            }
        }
        return null;
    }

    private static String fieldRequirementError(NodeSelectorRequirement r) {
        if (!"In".equals(r.getOperator()) && !"NotIn".equals(r.getOperator())) {
            return "matchFields.operator: Unsupported value: \"" + r.getOperator() + "\"";
        }
        if (r.getValues() == null || r.getValues().size() != 1) {
            return "matchFields.values: Required value: must have one element";
        }
        return null;
    }

    /** A label requirement against labels (In, NotIn, Exists, DoesNotExist, Gt, Lt). */
    static boolean matchesLabel(NodeSelectorRequirement r, Map<String, String> labels) {
        String value = labels.get(r.getKey());
        boolean has = labels.containsKey(r.getKey());
        return switch (r.getOperator()) {
            case "In" -> has && r.getValues().contains(value);
            case "NotIn" -> !has || !r.getValues().contains(value);
            case "Exists" -> has;
            case "DoesNotExist" -> !has;
            case "Gt", "Lt" -> {
                if (!has) {
                    yield false;
                }
                long have;
                try {
                    have = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    yield false;
                }
                long want = Long.parseLong(r.getValues().get(0));
                yield r.getOperator().equals("Gt") ? have > want : have < want;
            }
            default -> false;
        };
    }
}
