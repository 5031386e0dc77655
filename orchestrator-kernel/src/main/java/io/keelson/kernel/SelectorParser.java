package io.keelson.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The string form of label selectors, read as apimachinery's {@code labels.Parse} reads it, token for token and
 * message for message: comma-separated requirements, each {@code key}, {@code !key}, {@code key=value},
 * {@code key==value}, {@code key!=value}, {@code key in (a,b)}, {@code key notin (a,b)}, {@code key>1} or
 * {@code key<1}. Errors inside one requirement are wrapped in "unable to parse requirement: "; those between
 * requirements are not.
 */
final class SelectorParser {
    private enum Token { IDENTIFIER, IN, NOT_IN, OPEN, CLOSE, COMMA, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, NOT,
        GREATER, LESS, END }

    private record Lexeme(Token token, String text) {
        /** In a key or value position, "in" and "notin" are plain identifiers. */
        Token asValue() {
            return token == Token.IN || token == Token.NOT_IN ? Token.IDENTIFIER : token;
        }
    }

    private static final String WRAP = "unable to parse requirement: ";

    private final List<Lexeme> lexemes = new ArrayList<>();
    private int position;

    SelectorParser(String input) {
        lex(input);
    }

    /** apimachinery's whitespace: space, tab, CR, LF (nothing else). */
    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    List<LabelSelector.Requirement> parse() {
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        while (true) {
            Lexeme next = peek();
            switch (next.asValue()) {
                case IDENTIFIER, NOT -> {
                    requirements.add(requirement());
                    Lexeme after = take();
                    if (after.token() == Token.END) {
                        return requirements;
                    }
                    if (after.token() != Token.COMMA) {
                        throw error("found '" + after.text() + "', expected: ',' or 'end of string'");
                    }
                    Lexeme afterComma = peek();
                    if (afterComma.asValue() != Token.IDENTIFIER && afterComma.token() != Token.NOT) {
                        throw error("found '" + afterComma.text() + "', expected: identifier after ','");
                    }
                }
                case END -> {
                    return requirements;
                }
                default -> throw error("found '" + next.text() + "', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelSelector.Requirement requirement() {
        boolean negated = peek().token() == Token.NOT;
        if (negated) {
            take();
        }
        Lexeme key = take();
        if (key.asValue() != Token.IDENTIFIER) {
            throw requirementError("found '" + key.text() + "', expected: identifier");
        }
        LabelSelector.checkKey(key.text(), "<nil>", WRAP);
        if (negated) {
            return LabelSelector.requirement(key.text(), LabelSelector.Operator.DOES_NOT_EXIST, List.of(), "<nil>", WRAP);
        }
        Lexeme op = peek();
        if (op.token() == Token.COMMA || op.token() == Token.END) {
            return LabelSelector.requirement(key.text(), LabelSelector.Operator.EXISTS, List.of(), "<nil>", WRAP);
        }
        take();
        LabelSelector.Operator operator = switch (op.token()) {
            case EQUALS -> LabelSelector.Operator.EQUALS;
            case DOUBLE_EQUALS -> LabelSelector.Operator.DOUBLE_EQUALS;
            case NOT_EQUALS -> LabelSelector.Operator.NOT_EQUALS;
            case IN -> LabelSelector.Operator.IN;
            case NOT_IN -> LabelSelector.Operator.NOT_IN;
            case GREATER -> LabelSelector.Operator.GREATER_THAN;
            case LESS -> LabelSelector.Operator.LESS_THAN;
            default -> throw requirementError("found '" + op.text() + "', expected: in, notin, =, ==, !=, gt, lt");
        };
        List<String> values = operator == LabelSelector.Operator.IN || operator == LabelSelector.Operator.NOT_IN
                ? new ArrayList<>(valueSet()) : List.of(exactValue());
        return LabelSelector.requirement(key.text(), operator, values, "<nil>", WRAP);
    }

    /** The value of {@code key=value}: an identifier, or empty when the requirement ends there. */
    private String exactValue() {
        Lexeme v = peek();
        if (v.token() == Token.COMMA || v.token() == Token.END) {
            return "";
        }
        take();
        if (v.asValue() != Token.IDENTIFIER) {
            throw requirementError("found '" + v.text() + "', expected: identifier");
        }
        return v.text();
    }

    /** {@code (a, b, c)}: a set, in which empty elements are the empty value. */
    private TreeSet<String> valueSet() {
        Lexeme open = take();
        if (open.token() != Token.OPEN) {
            throw requirementError("found '" + open.text() + "' expected: '('");
        }
        Lexeme first = peek();
        switch (first.asValue()) {
            case IDENTIFIER, COMMA -> {
                TreeSet<String> values = identifiers();
                Lexeme close = take();
                if (close.token() != Token.CLOSE) {
                    throw requirementError("found '" + first.text() + "', expected: ')'");
                }
                return values;
            }
            case CLOSE -> {
                take();
                TreeSet<String> empty = new TreeSet<>();
                empty.add("");
                return empty;
            }
            default -> throw requirementError("found '" + first.text() + "', expected: ',', ')' or identifier");
        }
    }

    /** apimachinery's {@code parseIdentifiersList}, with its handling of leading, doubled and trailing commas. */
    private TreeSet<String> identifiers() {
        TreeSet<String> values = new TreeSet<>();
        while (true) {
            Lexeme l = take();
            switch (l.asValue()) {
                case IDENTIFIER -> {
                    values.add(l.text());
                    Lexeme next = peek();
                    if (next.token() == Token.CLOSE) {
                        return values;
                    }
                    if (next.token() != Token.COMMA) {
                        throw requirementError("found '" + next.text() + "', expected: ',' or ')'");
                    }
                }
                case COMMA -> {
                    if (values.isEmpty()) {
                        values.add("");
                    }
                    Lexeme next = peek();
                    if (next.token() == Token.CLOSE) {
                        values.add("");
                        return values;
                    }
                    if (next.token() == Token.COMMA) {
                        take();
                        values.add("");
                    }
                }
                default -> throw requirementError("found '" + l.text() + "', expected: ',', or identifier");
            }
        }
    }

    private Lexeme peek() {
        return lexemes.get(position);
    }

    private Lexeme take() {
        Lexeme l = lexemes.get(position);
        if (l.token() != Token.END) {
            position++;
        }
        return l;
    }

    private void lex(String input) {
        int i = 0;
        while (i < input.length()) {
            char c = input.charAt(i);
            if (isWhitespace(c)) {
                i++;
            } else if (c == '(' || c == ')' || c == ',') {
                lexemes.add(new Lexeme(c == '(' ? Token.OPEN : c == ')' ? Token.CLOSE : Token.COMMA, String.valueOf(c)));
                i++;
            } else if (c == '=' || c == '!' || c == '>' || c == '<') {
                boolean twoChars = i + 1 < input.length() && input.charAt(i + 1) == '=' && (c == '=' || c == '!');
                String text = twoChars ? input.substring(i, i + 2) : String.valueOf(c);
                Token t = switch (text) {
                    case "=" -> Token.EQUALS;
                    case "==" -> Token.DOUBLE_EQUALS;
                    case "!=" -> Token.NOT_EQUALS;
                    case "!" -> Token.NOT;
                    case ">" -> Token.GREATER;
                    default -> Token.LESS;
                };
                lexemes.add(new Lexeme(t, text));
                i += text.length();
            } else {
                int start = i;
                while (i < input.length() && !isWhitespace(input.charAt(i)) && "(),=!<>".indexOf(input.charAt(i)) < 0) {
                    i++;
                }
                String word = input.substring(start, i);
                Token t = word.equals("in") ? Token.IN : word.equals("notin") ? Token.NOT_IN : Token.IDENTIFIER;
                lexemes.add(new Lexeme(t, word));
            }
        }
        lexemes.add(new Lexeme(Token.END, ""));
    }

    private static ApiException error(String detail) {
        return Statuses.badRequest(detail);
    }

    private static ApiException requirementError(String detail) {
        return Statuses.badRequest(WRAP + detail);
    }
}
