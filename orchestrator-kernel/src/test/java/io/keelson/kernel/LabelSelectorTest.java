package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.keelson.kernel.LabelSelector.Operator;
import io.keelson.kernel.LabelSelector.Requirement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Label selectors as apimachinery's {@code pkg/labels} parses, prints and matches them (its {@code selector_test.go}:
 * TestSelectorParse, TestDeterministicParse, TestEverything, TestSelectorMatches, TestSetMatches, TestToString,
 * TestRequirementSelectorMatching, TestSetSelectorParser, TestParseOperator, TestRequirementConstructor), and
 * {@code metav1.LabelSelectorAsSelector} for resources' selectors.
 */
class LabelSelectorTest {
    private static final String WRAP = "unable to parse requirement: ";
    private static final String OPERATORS = "in, notin, =, ==, !=, gt, lt";
    private static final String NAME_RULE = "must consist of alphanumeric characters, '-', '_' or '.', and must start"
            + " and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for"
            + " validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private static final String NAME_PART = "name part " + NAME_RULE;
    private static final String MULTI_SLASH = "a valid label key " + NAME_RULE
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
    private static final String PREFIX_RULE = "prefix part a lowercase RFC 1123 subdomain must consist of lower case"
            + " alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g."
            + " 'example.com', regex used for validation is"
            + " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private static final String VALUE_RULE = "a valid label must be an empty string or consist of alphanumeric"
            + " characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', "
            + " or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
    private static final String NOT_INTEGER = "for 'Gt', 'Lt' operators, the value must be an integer";

    private static final String LONG_NAME = "a".repeat(64);
    private static final String LONG_PREFIX = "a".repeat(254);
    private static final String KEY_254 = "a".repeat(254);
    private static final String VALUE_254 = "a".repeat(254);

    record ParseCase(String name, String selector, String printed) {
        @Override
        public String toString() {
            return name;
        }
    }

    record StructureCase(String name, String selector, List<Requirement> requirements) {
        @Override
        public String toString() {
            return name;
        }
    }

    record ErrorCase(String name, String selector, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    record MatchCase(String name, String selector, Map<String, String> labels, boolean matches) {
        @Override
        public String toString() {
            return name;
        }
    }

    record OfCase(String name, io.fabric8.kubernetes.api.model.LabelSelector selector, String printed,
                  boolean everything, Map<String, String> labels, boolean matches) {
        @Override
        public String toString() {
            return name;
        }
    }

    record OfErrorCase(String name, io.fabric8.kubernetes.api.model.LabelSelector selector, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** An error whose BadValue is a slice: only the field before it and the detail after it are asserted. */
    record ValuesErrorCase(String name, ThrowingCallable call, String field, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    record RequirementCase(String name, String key, Operator operator, List<String> values, String printed) {
        @Override
        public String toString() {
            return name;
        }
    }

    record RequirementErrorCase(String name, String key, Operator operator, List<String> values, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // parse and print

    static Stream<ParseCase> validSelectors() {
        return Stream.of(
                // TestSelectorParse: String() is the input without spaces
                new ParseCase("three equalities", "x=a,y=b,z=c", "x=a,y=b,z=c"),
                new ParseCase("empty string", "", ""),
                new ParseCase("not equals and equals", "x!=a,y=b", "x!=a,y=b"),
                new ParseCase("equals with no value", "x=", "x="),
                new ParseCase("equals with no value then a space", "x= ", "x="),
                new ParseCase("two empty values", "x=,z= ", "x=,z="),
                new ParseCase("two empty values with spaces", "x= ,z= ", "x=,z="),
                new ParseCase("does not exist", "!x", "!x"),
                new ParseCase("greater than", "x>1", "x>1"),
                new ParseCase("greater than and less than", "x>1,z<5", "x>1,z<5"),
                // TestDeterministicParse: requirements sorted by key
                new ParseCase("unsorted keys print sorted", "x=a,a=x", "a=x,x=a"),
                new ParseCase("sorted keys print the same", "a=x,x=a", "a=x,x=a"),
                new ParseCase("three unsorted keys", "z=c,x=a,y=b", "x=a,y=b,z=c"),
                // TestToString
                new ParseCase("in, notin and exists", "x in (abc,def),y notin (jkl),z", "x in (abc,def),y notin (jkl),z"),
                new ParseCase("notin, not equals and does not exist", "x notin (abc,def),y!=jkl,!z",
                        "x notin (abc,def),y!=jkl,!z"),
                new ParseCase("notin, in and notin of the empty value", "x notin (abc),y in (jkl,mno),z notin ()",
                        "x notin (abc),y in (jkl,mno),z notin ()"),
                new ParseCase("equals, double equals, not equals and exists", "x=abc,y==jkl,z!=a,z",
                        "x=abc,y==jkl,z!=a,z"),
                new ParseCase("greater than, less than and exists", "x>2,y<8,z", "x>2,y<8,z"),
                // values: a sorted set
                new ParseCase("set values print sorted without duplicates", "x in (def,abc,abc)", "x in (abc,def)"),
                new ParseCase("empty set prints as ()", "x in ( )", "x in ()"),
                new ParseCase("trailing comma adds the empty value", "x in (abc,)", "x in (,abc)"),
                new ParseCase("empty entries and exists requirements", "x notin (abc,,def),bar,z in (),w",
                        "bar,w,x notin (,abc,def),z in ()"),
                new ParseCase("double equals with no value", "x==", "x=="),
                new ParseCase("same key twice is kept", "x=a,x=b", "x=a,x=b"),
                // whitespace: space, tab, carriage return and newline
                new ParseCase("tabs and spaces around in", "foo  in\t (abc)", "foo in (abc)"),
                new ParseCase("newline after notin", "x notin\n (abc)", "x notin (abc)"),
                new ParseCase("leading carriage return", "\rx", "x"),
                new ParseCase("trailing space after a key", "a ", "a"),
                // in and notin are keywords only where an operator is expected
                new ParseCase("in and notin as set values", "a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
                new ParseCase("in as an exact value", "x=in", "x=in"),
                new ParseCase("notin as a key and in as a value", "notin=in", "notin=in"),
                new ParseCase("in as a key with in", "in in (notin)", "in in (notin)"),
                new ParseCase("in as a key that must not exist", "!in", "!in"),
                new ParseCase("in as an existing key after a comma", "x,in", "in,x"));
    }

    @ParameterizedTest
    @MethodSource("validSelectors")
    void parse_validSelectors_printBackSortedWithoutSpaces(ParseCase c) {
        LabelSelector selector = LabelSelector.parse(c.selector());

        assertThat(selector.toString()).isEqualTo(c.printed());
        assertThat(LabelSelector.parse(selector.toString())).isEqualTo(selector);
    }

    static Stream<StructureCase> parsedRequirements() {
        return Stream.of(
                // TestSetSelectorParser
                new StructureCase("empty string", "", List.of()),
                new StructureCase("key after a carriage return", "\rx", List.of(req("x", Operator.EXISTS))),
                new StructureCase("prefixed key with dashes", "this-is-a-dns.domain.com/key-with-dash",
                        List.of(req("this-is-a-dns.domain.com/key-with-dash", Operator.EXISTS))),
                new StructureCase("prefixed key in a set", "this-is-another-dns.domain.com/key-with-dash in (so,what)",
                        List.of(req("this-is-another-dns.domain.com/key-with-dash", Operator.IN, "so", "what"))),
                new StructureCase("numeric prefix and name, dotted values", "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
                        List.of(req("0.1.2.domain/99", Operator.NOT_IN, "10.10.100.1", "tick.tack.clock"))),
                new StructureCase("spaces and tab around in", "foo  in\t (abc)", List.of(req("foo", Operator.IN, "abc"))),
                new StructureCase("newline after notin", "x notin\n (abc)", List.of(req("x", Operator.NOT_IN, "abc"))),
                new StructureCase("tabs after notin", "x  notin\t\t\t(abc,def)",
                        List.of(req("x", Operator.NOT_IN, "abc", "def"))),
                new StructureCase("in with two values", "x in (abc,def)", List.of(req("x", Operator.IN, "abc", "def"))),
                new StructureCase("trailing comma is the empty value", "x in (abc,)",
                        List.of(req("x", Operator.IN, "", "abc"))),
                new StructureCase("empty parentheses are the empty value", "x in ()", List.of(req("x", Operator.IN, ""))),
                new StructureCase("four requirements sorted by key", "x notin (abc,,def),bar,z in (),w",
                        List.of(req("bar", Operator.EXISTS), req("w", Operator.EXISTS),
                                req("x", Operator.NOT_IN, "", "abc", "def"), req("z", Operator.IN, ""))),
                new StructureCase("exists then in", "x,y in (a)",
                        List.of(req("x", Operator.EXISTS), req("y", Operator.IN, "a"))),
                new StructureCase("equals", "x=a", List.of(req("x", Operator.EQUALS, "a"))),
                new StructureCase("double equals", "x==a", List.of(req("x", Operator.DOUBLE_EQUALS, "a"))),
                new StructureCase("not equals", "x!=a", List.of(req("x", Operator.NOT_EQUALS, "a"))),
                new StructureCase("equals with no value", "x=", List.of(req("x", Operator.EQUALS, ""))),
                new StructureCase("greater than", "x>1", List.of(req("x", Operator.GREATER_THAN, "1"))),
                new StructureCase("less than", "x<7", List.of(req("x", Operator.LESS_THAN, "7"))),
                new StructureCase("does not exist", "!x", List.of(req("x", Operator.DOES_NOT_EXIST))),
                new StructureCase("equals and not equals", "x=a,y!=b",
                        List.of(req("x", Operator.EQUALS, "a"), req("y", Operator.NOT_EQUALS, "b"))),
                new StructureCase("equals, not equals and in", "x=a,y!=b,z in (h,i,j)",
                        List.of(req("x", Operator.EQUALS, "a"), req("y", Operator.NOT_EQUALS, "b"),
                                req("z", Operator.IN, "h", "i", "j"))),
                new StructureCase("notin of a blank set", "x notin ( )", List.of(req("x", Operator.NOT_IN, ""))),
                new StructureCase("leading comma is the empty value", "x notin (, a)",
                        List.of(req("x", Operator.NOT_IN, "", "a"))),
                new StructureCase("key with a trailing space", "a ", List.of(req("a", Operator.EXISTS))),
                new StructureCase("in and notin as values", "a in (x,y,notin, z,in)",
                        List.of(req("a", Operator.IN, "in", "notin", "x", "y", "z"))),
                new StructureCase("duplicate values collapse", "x in (a,a)", List.of(req("x", Operator.IN, "a"))),
                new StructureCase("notin as a key", "notin=in", List.of(req("notin", Operator.EQUALS, "in"))));
    }

    @ParameterizedTest
    @MethodSource("parsedRequirements")
    void parse_validSelectors_giveTheRequirementsKubernetesParses(StructureCase c) {
        assertThat(LabelSelector.parse(c.selector()).requirements()).containsExactlyElementsOf(c.requirements());
    }

    static Stream<ErrorCase> malformedSelectors() {
        return Stream.of(
                // TestSelectorParse
                new ErrorCase("value with ||", "x=a||y=b",
                        WRAP + "values[0][x]: Invalid value: \"a||y\": " + VALUE_RULE),
                new ErrorCase("two double equals", "x==a==b", "found '==', expected: ',' or 'end of string'"),
                new ErrorCase("does not exist with a value", "!x=a", "found '=', expected: ',' or 'end of string'"),
                new ErrorCase("less than a word", "x<a", WRAP + "values[0]: Invalid value: \"a\": " + NOT_INTEGER),
                // TestSetSelectorParser
                new ErrorCase("two commas", "x,,y", "found ',', expected: identifier after ','"),
                new ErrorCase("leading comma", ",x,y", "found ',', expected: !, identifier, or 'end of string'"),
                new ErrorCase("misspelt operator", "x nott in (y)", WRAP + "found 'nott', expected: " + OPERATORS),
                new ErrorCase("trailing comma", "a in (xyz),", "found '', expected: identifier after ','"),
                new ErrorCase("no comma between requirements", "a in (xyz)b notin ()",
                        "found 'b', expected: ',' or 'end of string'"),
                new ErrorCase("no comma between values", "a in (xyz abc)", WRAP + "found 'abc', expected: ',' or ')'"),
                new ErrorCase("unclosed empty set", "a notin(", WRAP + "found '', expected: ',', ')' or identifier"),
                new ErrorCase("parenthesis instead of an operator", "a (", WRAP + "found '(', expected: " + OPERATORS),
                new ErrorCase("parenthesis alone", "(", "found '(', expected: !, identifier, or 'end of string'"),
                // the other parse errors
                new ErrorCase("operator first", "=a", "found '=', expected: !, identifier, or 'end of string'"),
                new ErrorCase("bang alone", "!", WRAP + "found '', expected: identifier"),
                new ErrorCase("two bangs", "!!x", WRAP + "found '!', expected: identifier"),
                new ErrorCase("bang as operator", "x !", WRAP + "found '!', expected: " + OPERATORS),
                new ErrorCase("exists as operator", "x exists", WRAP + "found 'exists', expected: " + OPERATORS),
                new ErrorCase("upper-case IN", "env IN (a)", WRAP + "found 'IN', expected: " + OPERATORS),
                new ErrorCase("greater or equal", "x>=1", WRAP + "found '=', expected: identifier"),
                new ErrorCase("triple equals", "x===a", WRAP + "found '=', expected: identifier"),
                new ErrorCase("in without parentheses", "x in a", WRAP + "found 'a' expected: '('"),
                new ErrorCase("operator as the first value", "x in (=)",
                        WRAP + "found '=', expected: ',', ')' or identifier"),
                new ErrorCase("unclosed set after a value", "x in (a", WRAP + "found '', expected: ',' or ')'"),
                new ErrorCase("operator after a value", "x in (a=b)", WRAP + "found '=', expected: ',' or ')'"),
                new ErrorCase("operator after a comma", "x in (a,=)", WRAP + "found '=', expected: ',', or identifier"),
                new ErrorCase("unclosed set after a comma", "x in (a,", WRAP + "found '', expected: ',', or identifier"),
                new ErrorCase("two commas alone in a set", "x in (,,)", WRAP + "found ')', expected: ',', or identifier"),
                new ErrorCase("value then two commas in a set", "x in (a,,)",
                        WRAP + "found ')', expected: ',', or identifier"),
                new ErrorCase("parenthesised exact value", "x=(a)", WRAP + "found '(', expected: identifier"),
                new ErrorCase("double equals then parenthesis", "x==(", WRAP + "found '(', expected: identifier"),
                // keys: validated as they are read, with no field path
                new ErrorCase("colon in a key", "app:monolith", keyError("app:monolith", NAME_PART)),
                new ErrorCase("bad key is reported before a bad value", "app:monolith=(x)",
                        keyError("app:monolith", NAME_PART)),
                new ErrorCase("bad key that must not exist", "!a:b", keyError("a:b", NAME_PART)),
                new ErrorCase("bad key that must not exist, then an operator", "!a:b=c", keyError("a:b", NAME_PART)),
                new ErrorCase("key starting with a dash", "-x", keyError("-x", NAME_PART)),
                new ErrorCase("two slashes in a key", "a/b/c", keyError("a/b/c", MULTI_SLASH)),
                new ErrorCase("empty prefix", "/a", keyError("/a", "prefix part must be non-empty")),
                new ErrorCase("empty name", "a/", keyError("a/", "name part must be non-empty; " + NAME_PART)),
                new ErrorCase("upper-case prefix", "Example.com/a", keyError("Example.com/a", PREFIX_RULE)),
                new ErrorCase("64-character name", LONG_NAME + "=a",
                        keyError(LONG_NAME, "name part must be no more than 63 bytes")),
                new ErrorCase("254-character prefix", LONG_PREFIX + "/a",
                        keyError(LONG_PREFIX + "/a", "prefix part must be no more than 253 bytes")),
                new ErrorCase("form feed is not whitespace", "x\fy", WRAP + "<nil>: Invalid value: \"x\\fy\": " + NAME_PART),
                // values: validated after the key, every invalid one reported at its index in the sorted set
                new ErrorCase("64-character value", "x=" + "a".repeat(64),
                        WRAP + "values[0][x]: Invalid value: \"" + "a".repeat(64) + "\": must be no more than 63 bytes"),
                new ErrorCase("64-character value ending in a dash", "x=" + "a".repeat(63) + "-",
                        WRAP + "values[0][x]: Invalid value: \"" + "a".repeat(63) + "-\": must be no more than 63 bytes; "
                                + VALUE_RULE),
                new ErrorCase("second value invalid", "x in (a,z||y)",
                        WRAP + "values[1][x]: Invalid value: \"z||y\": " + VALUE_RULE),
                new ErrorCase("two values invalid", "x in (a||b,c||d)",
                        WRAP + "[values[0][x]: Invalid value: \"a||b\": " + VALUE_RULE
                                + ", values[1][x]: Invalid value: \"c||d\": " + VALUE_RULE + "]"),
                new ErrorCase("greater than nothing", "x>", WRAP + "values[0]: Invalid value: \"\": " + NOT_INTEGER),
                new ErrorCase("greater than a negative number", "x>-1",
                        WRAP + "values[0][x]: Invalid value: \"-1\": " + VALUE_RULE),
                new ErrorCase("greater than a number beyond int64", "x>99999999999999999999",
                        WRAP + "values[0]: Invalid value: \"99999999999999999999\": " + NOT_INTEGER));
    }

    @ParameterizedTest
    @MethodSource("malformedSelectors")
    void parse_malformedSelectors_failWithTheKubernetesMessage(ErrorCase c) {
        assertBadRequest(() -> LabelSelector.parse(c.selector()), c.message());
    }

    // ---------------------------------------------------------------------------------------------------------
    // matching

    static Stream<MatchCase> matchTable() {
        Map<String, String> set = labels("foo", "bar", "baz", "blah");
        return Stream.of(
                // TestSelectorMatches: matches
                new MatchCase("empty selects anything", "", labels("x", "y"), true),
                new MatchCase("equals", "x=y", labels("x", "y"), true),
                new MatchCase("two equals", "x=y,z=w", labels("x", "y", "z", "w"), true),
                new MatchCase("two not equals", "x!=y,z!=w", labels("x", "z", "z", "a"), true),
                new MatchCase("notin as key and in as value", "notin=in", labels("notin", "in"), true),
                new MatchCase("exists", "x", labels("x", "z"), true),
                new MatchCase("does not exist", "!x", labels("y", "z"), true),
                new MatchCase("greater than", "x>1", labels("x", "2"), true),
                new MatchCase("less than", "x<1", labels("x", "0"), true),
                // TestSelectorMatches: does not match
                new MatchCase("equals on no labels", "x=z", labels(), false),
                new MatchCase("equals another value", "x=y", labels("x", "z"), false),
                new MatchCase("one of two equals fails", "x=y,z=w", labels("x", "w", "z", "w"), false),
                new MatchCase("one of two not equals fails", "x!=y,z!=w", labels("x", "z", "z", "w"), false),
                new MatchCase("exists on another key", "x", labels("y", "z"), false),
                new MatchCase("does not exist on the key", "!x", labels("x", "z"), false),
                new MatchCase("greater than a smaller value", "x>1", labels("x", "0"), false),
                new MatchCase("less than a bigger value", "x<1", labels("x", "2"), false),
                // TestSelectorMatches: labels {foo: bar, baz: blah}
                new MatchCase("set: foo=bar", "foo=bar", set, true),
                new MatchCase("set: baz=blah", "baz=blah", set, true),
                new MatchCase("set: both", "foo=bar,baz=blah", set, true),
                new MatchCase("set: foo=blah", "foo=blah", set, false),
                new MatchCase("set: baz=bar", "baz=bar", set, false),
                new MatchCase("set: an extra key", "foo=bar,foobar=bar,baz=blah", set, false),
                // objects without the key
                new MatchCase("not equals on an object without the key", "x!=a", labels(), true),
                new MatchCase("notin on an object without the key", "x notin (a)", labels("y", "a"), true),
                new MatchCase("in on an object without the key", "x in (a)", labels("y", "a"), false),
                new MatchCase("equals on an object without the key", "x=a", labels("y", "a"), false),
                new MatchCase("equals nothing on an object without the key", "x=", labels(), false),
                new MatchCase("equals nothing on an empty value", "x=", labels("x", ""), true),
                new MatchCase("not equals nothing on an object without the key", "x!=", labels(), true),
                new MatchCase("not equals nothing on an empty value", "x!=", labels("x", ""), false),
                new MatchCase("double equals", "x==y", labels("x", "y"), true),
                // TestRequirementSelectorMatching
                new MatchCase("in and notin", "x in(foo),y notin(alpha)", labels("x", "foo", "y", "baz"), true),
                new MatchCase("in and in", "x in(foo),y in(alpha)", labels("x", "foo", "y", "baz"), false),
                new MatchCase("notin the empty value and exists", "x notin (),y", labels("y", ""), true),
                new MatchCase("does not exist and exists", "!x,y", labels("y", ""), true),
                new MatchCase("notin the empty value and does not exist", "x notin (),!y", labels("y", ""), false),
                new MatchCase("in the empty value without the key", "x in ()", labels("y", "baz"), false),
                new MatchCase("in the empty value on an empty value", "x in ()", labels("x", ""), true),
                new MatchCase("in the empty value on a value", "x in ()", labels("x", "a"), false),
                new MatchCase("greater than a number", "z>1", labels("z", "2"), true),
                new MatchCase("greater than on a non-integer label", "z>1", labels("z", "v2"), false),
                new MatchCase("greater than without the key", "x>1", labels(), false),
                new MatchCase("greater than on an equal value", "x>1", labels("x", "1"), false),
                new MatchCase("less than on a negative label", "x<10", labels("x", "-5"), true),
                new MatchCase("greater than on a label beyond int64", "x>1", labels("x", "99999999999999999999"), false),
                new MatchCase("same key twice is an AND", "x=a,x=b", labels("x", "a"), false),
                // no labels at all
                new MatchCase("empty selects null labels", "", null, true),
                new MatchCase("does not exist on null labels", "!x", null, true),
                new MatchCase("notin on null labels", "x notin (a)", null, true),
                new MatchCase("exists on null labels", "x", null, false),
                new MatchCase("in on null labels", "x in (a)", null, false));
    }

    @ParameterizedTest
    @MethodSource("matchTable")
    void matches_labelSets_selectAsKubernetesDoes(MatchCase c) {
        assertThat(LabelSelector.parse(c.selector()).matches(c.labels())).isEqualTo(c.matches());
    }

    @Test
    void everything_matchesAnyLabels_andIsEmpty() {
        for (LabelSelector everything : List.of(LabelSelector.everything(), LabelSelector.parse(""),
                LabelSelector.parse(" \t\r\n"))) {
            assertThat(everything.isEverything()).isTrue();
            assertThat(everything.toString()).isEmpty();
            assertThat(everything.requirements()).isEmpty();
            assertThat(everything.matches(labels("x", "y"))).isTrue();
            assertThat(everything.matches(labels())).isTrue();
            assertThat(everything.matches(null)).isTrue();
        }
        assertThat(LabelSelector.parse("x").isEverything()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------
    // resources' selectors (metav1.LabelSelectorAsSelector)

    static Stream<OfCase> resourceSelectors() {
        return Stream.of(
                new OfCase("null selects nothing", null, "", false, labels(), false),
                new OfCase("null selects nothing, even with labels", null, "", false, labels("x", "y"), false),
                new OfCase("empty selects everything", new io.fabric8.kubernetes.api.model.LabelSelector(), "", true,
                        labels(), true),
                new OfCase("empty lists select everything", selector(Map.of()), "", true, labels("x", "y"), true),
                new OfCase("matchLabels are equalities sorted by key",
                        selector(labels("tier", "front", "app", "web")), "app=web,tier=front", false,
                        labels("app", "web", "tier", "front", "x", "y"), true),
                new OfCase("matchLabels need every label", selector(labels("tier", "front", "app", "web")),
                        "app=web,tier=front", false, labels("app", "web"), false),
                new OfCase("In", selector(Map.of(), expr("env", "In", "staging", "prod")), "env in (prod,staging)", false,
                        labels("env", "prod"), true),
                new OfCase("In on another value", selector(Map.of(), expr("env", "In", "prod")), "env in (prod)", false,
                        labels("env", "dev"), false),
                new OfCase("NotIn on an object without the key", selector(Map.of(), expr("env", "NotIn", "prod")),
                        "env notin (prod)", false, labels(), true),
                new OfCase("NotIn on a listed value", selector(Map.of(), expr("env", "NotIn", "prod")),
                        "env notin (prod)", false, labels("env", "prod"), false),
                new OfCase("Exists", selector(Map.of(), expr("canary", "Exists")), "canary", false,
                        labels("canary", ""), true),
                new OfCase("DoesNotExist", selector(Map.of(), expr("canary", "DoesNotExist")), "!canary", false,
                        labels("canary", ""), false),
                new OfCase("matchLabels and matchExpressions sorted together",
                        selector(labels("z", "1"), expr("a", "Exists"), expr("m", "NotIn", "x")), "a,m notin (x),z=1",
                        false, labels("a", "", "z", "1"), true),
                new OfCase("duplicate expression values are kept", selector(Map.of(), expr("x", "In", "b", "a", "b")),
                        "x in (a,b,b)", false, labels("x", "b"), true));
    }

    @ParameterizedTest
    @MethodSource("resourceSelectors")
    void of_resourceSelectors_selectAsLabelSelectorAsSelectorDoes(OfCase c) {
        LabelSelector selector = LabelSelector.of(c.selector());

        assertThat(selector.toString()).isEqualTo(c.printed());
        assertThat(selector.isEverything()).isEqualTo(c.everything());
        assertThat(selector.matches(c.labels())).isEqualTo(c.matches());
    }

    static Stream<OfErrorCase> invalidResourceSelectors() {
        return Stream.of(
                new OfErrorCase("Gt operator", selector(Map.of(), expr("x", "Gt", "1")),
                        "\"Gt\" is not a valid pod selector operator"),
                new OfErrorCase("lower-case operator", selector(Map.of(), expr("x", "in", "a")),
                        "\"in\" is not a valid pod selector operator"),
                new OfErrorCase("missing operator", selector(Map.of(), expr("x", null, "a")),
                        "\"\" is not a valid pod selector operator"),
                new OfErrorCase("bad matchLabels key", selector(labels("app:x", "a")),
                        "key: Invalid value: \"app:x\": " + NAME_PART),
                new OfErrorCase("bad matchLabels value", selector(labels("app", "a b")),
                        "values[0][app]: Invalid value: \"a b\": " + VALUE_RULE),
                new OfErrorCase("bad expression key", selector(Map.of(), expr("a/b/c", "Exists")),
                        "key: Invalid value: \"a/b/c\": " + MULTI_SLASH),
                new OfErrorCase("bad expression value", selector(Map.of(), expr("env", "In", "a b")),
                        "values[0][env]: Invalid value: \"a b\": " + VALUE_RULE),
                new OfErrorCase("bad second expression value", selector(Map.of(), expr("env", "In", "a", "b c")),
                        "values[1][env]: Invalid value: \"b c\": " + VALUE_RULE));
    }

    @ParameterizedTest
    @MethodSource("invalidResourceSelectors")
    void of_invalidResourceSelectors_failWithTheKubernetesMessage(OfErrorCase c) {
        assertBadRequest(() -> LabelSelector.of(c.selector()), c.message());
    }

    // ---------------------------------------------------------------------------------------------------------
    // requirements (labels.NewRequirement, TestRequirementConstructor)

    static Stream<RequirementCase> validRequirements() {
        return Stream.of(
                new RequirementCase("in one value", "x", Operator.IN, List.of("foo"), "x in (foo)"),
                new RequirementCase("notin one value", "x", Operator.NOT_IN, List.of("foo"), "x notin (foo)"),
                new RequirementCase("exists", "x", Operator.EXISTS, List.of(), "x"),
                new RequirementCase("does not exist", "x", Operator.DOES_NOT_EXIST, List.of(), "!x"),
                new RequirementCase("in another value", "x", Operator.IN, List.of("bar"), "x in (bar)"),
                new RequirementCase("greater than", "x", Operator.GREATER_THAN, List.of("1"), "x>1"),
                new RequirementCase("less than", "x", Operator.LESS_THAN, List.of("6"), "x<6"),
                new RequirementCase("in two values print sorted", "x", Operator.IN, List.of("b", "a"), "x in (a,b)"),
                new RequirementCase("in the empty value", "x", Operator.IN, List.of(""), "x in ()"),
                new RequirementCase("equals the empty value", "x", Operator.EQUALS, List.of(""), "x="),
                new RequirementCase("double equals", "x", Operator.DOUBLE_EQUALS, List.of("a"), "x==a"),
                new RequirementCase("not equals", "x", Operator.NOT_EQUALS, List.of("a"), "x!=a"),
                new RequirementCase("prefixed key", "example.com/x", Operator.EQUALS, List.of("a"), "example.com/x=a"));
    }

    @ParameterizedTest
    @MethodSource("validRequirements")
    void requirement_validArguments_buildAndPrintTheRequirement(RequirementCase c) {
        Requirement requirement = LabelSelector.requirement(c.key(), c.operator(), c.values());

        assertThat(requirement.key()).isEqualTo(c.key());
        assertThat(requirement.operator()).isEqualTo(c.operator());
        assertThat(requirement.toString()).isEqualTo(c.printed());
    }

    static Stream<RequirementErrorCase> invalidRequirements() {
        return Stream.of(
                new RequirementErrorCase("greater than a word", "x", Operator.GREATER_THAN, List.of("bar"),
                        "values[0]: Invalid value: \"bar\": " + NOT_INTEGER),
                new RequirementErrorCase("less than a word", "x", Operator.LESS_THAN, List.of("bar"),
                        "values[0]: Invalid value: \"bar\": " + NOT_INTEGER),
                new RequirementErrorCase("254-character key", KEY_254, Operator.EXISTS, List.of(),
                        "key: Invalid value: \"" + KEY_254 + "\": name part must be no more than 63 bytes"),
                new RequirementErrorCase("254-character value", "x16", Operator.EQUALS, List.of(VALUE_254),
                        "values[0][x16]: Invalid value: \"" + VALUE_254 + "\": must be no more than 63 bytes"),
                new RequirementErrorCase("value with a space", "x17", Operator.EQUALS, List.of("a b"),
                        "values[0][x17]: Invalid value: \"a b\": " + VALUE_RULE),
                new RequirementErrorCase("key with a colon", "app:x", Operator.EXISTS, List.of(),
                        "key: Invalid value: \"app:x\": " + NAME_PART));
    }

    @ParameterizedTest
    @MethodSource("invalidRequirements")
    void requirement_invalidArguments_failWithTheKubernetesMessage(RequirementErrorCase c) {
        assertBadRequest(() -> LabelSelector.requirement(c.key(), c.operator(), c.values()), c.message());
    }

    static Stream<ValuesErrorCase> wrongNumbersOfValues() {
        String empty = "for 'in', 'notin' operators, values set can't be empty";
        String exact = "exact-match compatibility requires one single value";
        String none = "values set must be empty for exists and does not exist";
        String one = "for 'Gt', 'Lt' operators, exactly one value is required";
        return Stream.of(
                new ValuesErrorCase("in with no values",
                        () -> LabelSelector.requirement("x", Operator.IN, List.of()), "values", empty),
                new ValuesErrorCase("notin with no values",
                        () -> LabelSelector.requirement("x", Operator.NOT_IN, List.of()), "values", empty),
                new ValuesErrorCase("equals with two values",
                        () -> LabelSelector.requirement("x", Operator.EQUALS, List.of("foo", "bar")), "values", exact),
                new ValuesErrorCase("not equals with no values",
                        () -> LabelSelector.requirement("x", Operator.NOT_EQUALS, List.of()), "values", exact),
                new ValuesErrorCase("exists with a value",
                        () -> LabelSelector.requirement("x", Operator.EXISTS, List.of("foo")), "values", none),
                new ValuesErrorCase("does not exist with a value",
                        () -> LabelSelector.requirement("x", Operator.DOES_NOT_EXIST, List.of("foo")), "values", none),
                new ValuesErrorCase("greater than with no values",
                        () -> LabelSelector.requirement("x", Operator.GREATER_THAN, List.of()), "values", one),
                new ValuesErrorCase("less than with two values",
                        () -> LabelSelector.requirement("x", Operator.LESS_THAN, List.of("1", "2")), "values", one),
                new ValuesErrorCase("resource selector In with no values",
                        () -> LabelSelector.of(selector(Map.of(), expr("x", "In"))), "values", empty),
                new ValuesErrorCase("resource selector NotIn with no values",
                        () -> LabelSelector.of(selector(Map.of(), expr("x", "NotIn"))), "values", empty),
                new ValuesErrorCase("resource selector Exists with a value",
                        () -> LabelSelector.of(selector(Map.of(), expr("x", "Exists", "a"))), "values", none),
                new ValuesErrorCase("resource selector DoesNotExist with a value",
                        () -> LabelSelector.of(selector(Map.of(), expr("x", "DoesNotExist", "a"))), "values", none));
    }

    /** The BadValue of a slice prints differently across apimachinery versions, so only around it is asserted. */
    @ParameterizedTest
    @MethodSource("wrongNumbersOfValues")
    void requirement_wrongNumberOfValues_failOnTheValuesField(ValuesErrorCase c) {
        ApiException e = badRequest(c.call());

        assertThat(e.getMessage()).startsWith(c.field() + ": Invalid value: ").endsWith(": " + c.detail());
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Requirement req(String key, Operator operator, String... values) {
        return new Requirement(key, operator, List.of(values));
    }

    private static String keyError(String key, String detail) {
        return WRAP + "<nil>: Invalid value: \"" + key + "\": " + detail;
    }

    private static Map<String, String> labels(String... keysAndValues) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            labels.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return labels;
    }

    private static io.fabric8.kubernetes.api.model.LabelSelector selector(Map<String, String> matchLabels,
                                                                         LabelSelectorRequirement... expressions) {
        return new LabelSelectorBuilder().withMatchLabels(new LinkedHashMap<>(matchLabels))
                .withMatchExpressions(Arrays.asList(expressions)).build();
    }

    /** An expression; with no values its values are left unset, as a manifest without the field. */
    private static LabelSelectorRequirement expr(String key, String operator, String... values) {
        LabelSelectorRequirementBuilder b = new LabelSelectorRequirementBuilder().withKey(key).withOperator(operator);
        if (values.length > 0) {
            b.withValues(Arrays.asList(values));
        }
        return b.build();
    }

    private static ApiException badRequest(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected a BadRequest ApiException").isInstanceOf(ApiException.class);
        ApiException e = (ApiException) thrown;
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.reason()).isEqualTo("BadRequest");
        return e;
    }

    private static void assertBadRequest(ThrowingCallable call, String message) {
        assertThat(badRequest(call).getMessage()).isEqualTo(message);
    }
}
