package io.keelson.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * The string form of label selectors, as apimachinery's {@code labels.Parse} reads it: comma-separated
 * requirements, each {@code key}, {@code !key}, {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key in (a,b)}, {@code key notin (a,b)}, {@code key>1} or {@code key<1}.
 */
final class SelectorParser {
    private enum Token { IDENTIFIER, IN, NOT_IN, OPEN, CLOSE, COMMA, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, NOT,
        GREATER, LESS, END }

    private record Lexeme(Token token, String text) {
    }

    /** Errors inside one requirement are wrapped in this; those between requirements are not. */
    private static final String WRAP = "unable to parse requirement: ";

    private final String input;
    private final List<Lexeme> lexemes = new ArrayList<>();
    private int position;

    SelectorParser(String input) {
        this.input = input;
        lex();
    }

    List<LabelSelector.Requirement> parse() {
        List<LabelSelector.Requirement> requirements = new ArrayList<>();
        while (true) {
            Lexeme next = peek();
            switch (next.token()) {
                case IDENTIFIER, NOT -> {
                    requirements.add(requirement());
                    Lexeme after = take();
                    if (after.token() == Token.END) {
                        return requirements;
                    }
                    if (after.token() != Token.COMMA) {
                        throw error("found '" + after.text() + "', expected: ',' or 'end of string'");
                    }
                    if (peek().token() == Token.END) {
                        throw error("found '', expected: identifier after ','");
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
        Lexeme first = take();
        if (first.token() == Token.NOT) {
            Lexeme key = take();
            if (key.token() != Token.IDENTIFIER) {
                throw requirementError("found '" + key.text() + "', expected: identifier");
            }
            if (peek().token() != Token.COMMA && peek().token() != Token.END) {
                throw error("found '" + peek().text() + "', expected: ',' or 'end of string'");
            }
            return LabelSelector.requirement(key.text(), LabelSelector.Operator.DOES_NOT_EXIST, List.of(), "<nil>",
                    WRAP);
        }
        String key = first.text();
        Lexeme op = peek();
        if (op.token() == Token.COMMA || op.token() == Token.END) {
            return LabelSelector.requirement(key, LabelSelector.Operator.EXISTS, List.of(), "<nil>", WRAP);
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
                ? valueSet() : List.of(exactValue());
        return LabelSelector.requirement(key, operator, values, "<nil>", WRAP);
    }

    /** The value of {@code key=value}: an identifier, or empty when the requirement ends there. */
    private String exactValue() {
        Lexeme v = peek();
        if (v.token() == Token.COMMA || v.token() == Token.END) {
            return "";
        }
        take();
        if (v.token() != Token.IDENTIFIER && v.token() != Token.IN && v.token() != Token.NOT_IN) {
            throw requirementError("found '" + v.text() + "', expected: identifier");
        }
        return v.text();
    }

    /** {@code (a, b, c)}; an empty element is the empty value. */
    private List<String> valueSet() {
        Lexeme open = take();
        if (open.token() != Token.OPEN) {
            throw requirementError("found '" + open.text() + "' expected: '('");
        }
        List<String> values = new ArrayList<>();
        if (peek().token() == Token.CLOSE) {
            take();
            values.add("");
            return values;
        }
        boolean expectValue = true;
        while (true) {
            Lexeme l = take();
            switch (l.token()) {
                case IDENTIFIER, IN, NOT_IN -> {
                    if (!expectValue) {
                        throw requirementError("found '" + l.text() + "', expected: ',' or ')'");
                    }
                    values.add(l.text());
                    expectValue = false;
                }
                case COMMA -> {
                    if (expectValue) {
                        values.add("");
                    }
                    expectValue = true;
                    Lexeme next = peek();
                    if (next.token() != Token.IDENTIFIER && next.token() != Token.IN && next.token() != Token.NOT_IN
                            && next.token() != Token.COMMA && next.token() != Token.CLOSE) {
                        throw requirementError("found '" + next.text() + "', expected: ',', or identifier");
                    }
                }
                case CLOSE -> {
                    if (expectValue) {
                        values.add("");
                    }
                    return values;
                }
                default -> throw requirementError("found '" + l.text() + "', expected: ',', ')' or identifier");
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

    private void lex() {
        int i = 0;
        while (i < input.length()) {
            char c = input.charAt(i);
            if (Character.isWhitespace(c)) {
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
                while (i < input.length() && !Character.isWhitespace(input.charAt(i))
                        && "(),=!<>".indexOf(input.charAt(i)) < 0) {
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
