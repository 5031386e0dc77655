package io.keelson.kernel;

import java.util.ArrayList;
import java.util.List;

/** apimachinery's name, label and qualified-name rules ({@code pkg/util/validation}), with its message texts. */
final class Names {
    static final int LABEL_MAX = 63;
    static final int SUBDOMAIN_MAX = 253;

    private static final String LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final String SUBDOMAIN_FMT = LABEL_FMT + "(\\." + LABEL_FMT + ")*";
    private static final String DNS1035_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";

    private Names() {
    }

    static List<String> dns1123Label(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > LABEL_MAX) {
            errors.add(maxLength(LABEL_MAX));
        }
        if (!isDns1123Label(value)) {
            errors.add(isDns1123Subdomain(value) ? "must not contain dots" : regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or"
                    + " '-', and must start and end with an alphanumeric character", LABEL_FMT, "my-name", "123-abc"));
        }
        return errors;
    }

    static List<String> dns1123Subdomain(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > SUBDOMAIN_MAX) {
            errors.add(maxLength(SUBDOMAIN_MAX));
        }
        if (!isDns1123Subdomain(value)) {
            errors.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters,"
                    + " '-' or '.', and must start and end with an alphanumeric character", SUBDOMAIN_FMT,
                    "example.com"));
        }
        return errors;
    }

    static List<String> dns1035Label(String value) {
        List<String> errors = new ArrayList<>();
        if (value.length() > LABEL_MAX) {
            errors.add(maxLength(LABEL_MAX));
        }
        if (!(isDns1123Label(value) && isLower(value.charAt(0)))) {
            errors.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start"
                    + " with an alphabetic character, and end with an alphanumeric character", DNS1035_FMT,
                    "my-name", "abc-123"));
        }
        return errors;
    }

    static List<String> pathSegment(String value) {
        List<String> errors = new ArrayList<>();
        if (value.equals(".") || value.equals("..")) {
            errors.add("may not be '" + value + "'");
            return errors;
        }
        for (String bad : List.of("/", "%")) {
            if (value.contains(bad)) {
                errors.add("may not contain '" + bad + "'");
            }
        }
        return errors;
    }

    /** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
    static List<String> qualifiedName(String value) {
        return qualifiedName(value, false);
    }

    /** A label key: a qualified name, with the label-key wording of current apimachinery ("bytes", "label key"). */
    static List<String> labelKey(String value) {
        return qualifiedName(value, true);
    }

    private static List<String> qualifiedName(String value, boolean labelKey) {
        List<String> errors = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        switch (parts.length) {
            case 1 -> name = parts[0];
            case 2 -> {
                String prefix = parts[0];
                name = parts[1];
                if (prefix.isEmpty()) {
                    errors.add("prefix part must be non-empty");
                } else {
                    for (String e : dns1123Subdomain(prefix)) {
                        errors.add("prefix part " + (labelKey && e.equals(maxLength(SUBDOMAIN_MAX))
                                ? "must be no more than " + SUBDOMAIN_MAX + " bytes" : e));
                    }
                }
            }
            default -> {
                errors.add(regexError((labelKey ? "a valid label key" : "a qualified name") + " must consist of alphanumeric characters, '-', '_' or '.', and"
                                + " must start and end with an alphanumeric character", QUALIFIED_NAME_FMT,
                        "MyName", "my.name", "123-abc")
                        + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
            }
        }
        if (name.isEmpty()) {
            errors.add("name part must be non-empty");
        } else if (name.length() > LABEL_MAX) {
            errors.add("name part must be no more than " + LABEL_MAX + (labelKey ? " bytes" : " characters"));
        }
        if (!isQualifiedNamePart(name)) {
            errors.add("name part " + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must"
                    + " start and end with an alphanumeric character", QUALIFIED_NAME_FMT, "MyName", "my.name",
                    "123-abc"));
        }
        return errors;
    }

    static List<String> labelValue(String value) {
        List<String> errors = new ArrayList<>();
        if (value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > LABEL_MAX) {
            errors.add("must be no more than " + LABEL_MAX + " bytes");
        }
        if (!(value.isEmpty() || isQualifiedNamePart(value))) {
            errors.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-',"
                    + " '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT,
                    "MyValue", "my_value", "12345"));
        }
        return errors;
    }

    // Hand-written matchers of the formats above: they run for every name, label and annotation key of every
    // write, where the regular expressions showed in profiles. The formats stay for the error messages.

    /** {@link #LABEL_FMT}: alphanumeric at both ends, '-' allowed inside, lower case. */
    private static boolean isDns1123Label(String value) {
        int n = value.length();
        if (n == 0 || !isLowerAlphanumeric(value.charAt(0)) || !isLowerAlphanumeric(value.charAt(n - 1))) {
            return false;
        }
        for (int i = 1; i < n - 1; i++) {
            char c = value.charAt(i);
            if (c != '-' && !isLowerAlphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    /** {@link #SUBDOMAIN_FMT}: labels joined by single dots. */
    private static boolean isDns1123Subdomain(String value) {
        int start = 0;
        for (int dot = value.indexOf('.'); dot >= 0; dot = value.indexOf('.', start)) {
            if (!isDns1123Label(value.substring(start, dot))) {
                return false;
            }
            start = dot + 1;
        }
        return isDns1123Label(start == 0 ? value : value.substring(start));
    }

    /** {@link #QUALIFIED_NAME_FMT}: alphanumeric at both ends, '-', '_' and '.' allowed inside, either case. */
    private static boolean isQualifiedNamePart(String value) {
        int n = value.length();
        if (n == 0 || !isAlphanumeric(value.charAt(0)) || !isAlphanumeric(value.charAt(n - 1))) {
            return false;
        }
        for (int i = 1; i < n - 1; i++) {
            char c = value.charAt(i);
            if (c != '-' && c != '_' && c != '.' && !isAlphanumeric(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    private static boolean isLowerAlphanumeric(char c) {
        return isLower(c) || (c >= '0' && c <= '9');
    }

    private static boolean isAlphanumeric(char c) {
        return isLowerAlphanumeric(c) || (c >= 'A' && c <= 'Z');
    }

    static String maxLength(int max) {
        return "must be no more than " + max + " characters";
    }

    /** apimachinery's {@code RegexError}: the message, the examples, then the regex. */
    private static String regexError(String message, String regex, String... examples) {
        StringBuilder s = new StringBuilder(message).append(" (");
        if (examples.length > 0) {
            s.append("e.g. '").append(examples[0]).append("'");
            for (int i = 1; i < examples.length; i++) {
                s.append(",  or '").append(examples[i]).append("'");
            }
            s.append(", ");
        }
        return s.append("regex used for validation is '").append(regex).append("')").toString();
    }
}
