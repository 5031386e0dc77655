package io.keelson.kernel.scheduler.framework;

/** Label key and value syntax (qualified names), for parsing selectors in plugins. */
final class LabelSyntax {
    private LabelSyntax() {
    }

    /** An optional DNS-1123 subdomain prefix and '/', then a name of 1-63 alphanumerics, '-', '_', '.'. */
    static boolean isQualifiedName(String key) {
        int slash = key.indexOf('/');
        String name = key;
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !prefix.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"
                    + "(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
                return false;
            }
        }
        return !name.isEmpty() && name.length() <= 63 && isNamePart(name);
    }

    static boolean isLabelValue(String value) {
        return value.isEmpty() || (value.length() <= 63 && isNamePart(value));
    }

    private static boolean isNamePart(String s) {
        if (!Character.isLetterOrDigit(s.charAt(0)) || !Character.isLetterOrDigit(s.charAt(s.length() - 1))) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
