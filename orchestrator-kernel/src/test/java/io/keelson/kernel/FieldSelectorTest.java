package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.keelson.kernel.FieldSelector.Requirement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Field selectors as apimachinery's {@code pkg/fields} parses, prints and matches them (its {@code selector_test.go}:
 * TestSplitTerms, TestSplitTerm, TestEscapeValue, TestSelectorParse, TestDeterministicParse, TestEverything,
 * TestSelectorMatches, TestOneTermEqualSelector), and the field labels kube-apiserver's conversion functions accept.
 */
class FieldSelectorTest {
    private static final String UNESCAPED_EQUALS = "invalid field selector: unescaped character in value: 61";
    private static final String BAD_ESCAPE = "invalid field selector: invalid escape sequence: ";
    private static final String DEFAULT_LABELS = " is not a known field selector: only \"metadata.name\", "
            + "\"metadata.namespace\"";

    record ParseCase(String name, String selector, String printed) {
        @Override
        public String toString() {
            return name;
        }
    }

    record TermCase(String name, String selector, List<Requirement> requirements) {
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

    record MatchCase(String name, String selector, Map<String, String> fields, boolean matches) {
        @Override
        public String toString() {
            return name;
        }
    }

    record EscapeCase(String name, String raw, String escaped) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code message} null: the type supports every field the selector names. */
    record SupportCase(String name, ResourceType<?> type, String selector, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // parse and print

    static Stream<ParseCase> validSelectors() {
        return Stream.of(
                // TestSelectorParse: String() gives back the input
                new ParseCase("three equalities", "x=a,y=b,z=c", "x=a,y=b,z=c"),
                new ParseCase("empty string", "", ""),
                new ParseCase("not equals and equals", "x!=a,y=b", "x!=a,y=b"),
                new ParseCase("escaped equals after ||", "x=a||y\\=b", "x=a||y\\=b"),
                new ParseCase("two escaped equals", "x=a\\=\\=b", "x=a\\=\\=b"),
                // TestDeterministicParse and the sort of raw terms
                new ParseCase("unsorted terms print sorted", "x=a,a=x", "a=x,x=a"),
                new ParseCase("sorted terms print the same", "a=x,x=a", "a=x,x=a"),
                new ParseCase("three unsorted terms", "z=c,x=a,y=b", "x=a,y=b,z=c"),
                new ParseCase("not equals sorts before equals on one field", "a=1,a!=2", "a!=2,a=1"),
                new ParseCase("terms sort as raw strings", "ab=1,a=2", "a=2,ab=1"),
                new ParseCase("unicode terms sort by code point", "함=수,목=록", "목=록,함=수"),
                // == prints as =
                new ParseCase("double equals prints as equals", "x==a", "x=a"),
                new ParseCase("two double equals print as equals", "y==b,x==a", "x=a,y=b"),
                // empty terms are skipped
                new ParseCase("trailing comma", "a=b,", "a=b"),
                new ParseCase("leading comma", ",a=b", "a=b"),
                new ParseCase("two commas between terms", "a=b,,c=d", "a=b,c=d"),
                new ParseCase("comma alone", ",", ""),
                // escapes (TestSplitTerms)
                // terms sort as strings: "k2" before "k=" ('2' < '=')
                new ParseCase("escaped comma", "k=\\,,k2=v2", "k2=v2,k=\\,"),
                new ParseCase("escaped backslash", "k=\\\\,k2=v2", "k2=v2,k=\\\\"),
                new ParseCase("escaped backslash then escaped comma", "k=\\\\\\,,k2=v2", "k2=v2,k=\\\\\\,"),
                new ParseCase("escaped equals", "k=\\=", "k=\\="),
                new ParseCase("escaped everything", "complex=\\=value\\\\\\,\\\\", "complex=\\=value\\\\\\,\\\\"),
                // the field is taken as it is
                new ParseCase("bang in the field", "a!b=c", "a!b=c"),
                new ParseCase("bang in the value is not escaped", "x=a!b", "x=a!b"),
                new ParseCase("empty value", "x=", "x="),
                new ParseCase("not equals the empty value", "x!=", "x!="),
                new ParseCase("empty field", "=a", "=a"),
                new ParseCase("spaces are kept", "x = a", "x = a"));
    }

    @ParameterizedTest
    @MethodSource("validSelectors")
    void parse_validSelectors_printBackSortedAndEscaped(ParseCase c) {
        FieldSelector selector = FieldSelector.parse(c.selector());

        assertThat(selector.toString()).isEqualTo(c.printed());
        assertThat(FieldSelector.parse(selector.toString())).isEqualTo(selector);
    }

    static Stream<TermCase> terms() {
        return Stream.of(
                // TestSplitTerms / TestSplitTerm
                new TermCase("three operators", "a=avalue,b==bvalue,c!=cvalue",
                        List.of(eq("a", "avalue"), eq("b", "bvalue"), ne("c", "cvalue"))),
                new TermCase("escaped comma", "k=\\,", List.of(eq("k", ","))),
                new TermCase("escaped equals", "k=\\=", List.of(eq("k", "="))),
                new TermCase("escaped backslash", "k=\\\\", List.of(eq("k", "\\"))),
                new TermCase("escaped backslash and comma", "k=\\\\\\,,k2=v2",
                        List.of(eq("k2", "v2"), eq("k", "\\,"))),
                new TermCase("escaped equals after ||", "x=a||y\\=b", List.of(eq("x", "a||y=b"))),
                new TermCase("two escaped equals", "x=a\\=\\=b", List.of(eq("x", "a==b"))),
                new TermCase("unicode", "함=수", List.of(eq("함", "수"))),
                new TermCase("first operator splits: bang in the field", "a!b=c", List.of(eq("a!b", "c"))),
                new TermCase("bang in the value", "x=!a", List.of(eq("x", "!a"))),
                new TermCase("no trimming", "x = a", List.of(eq("x ", " a"))),
                new TermCase("empty value", "x=", List.of(eq("x", ""))),
                new TermCase("not equals the empty value", "x!=", List.of(ne("x", ""))),
                new TermCase("empty field", "=a", List.of(eq("", "a"))),
                new TermCase("sorted", "z!=1,a=2", List.of(eq("a", "2"), ne("z", "1"))));
    }

    @ParameterizedTest
    @MethodSource("terms")
    void parse_terms_splitIntoFieldOperatorAndUnescapedValue(TermCase c) {
        assertThat(FieldSelector.parse(c.selector()).requirements()).containsExactlyElementsOf(c.requirements());
    }

    static Stream<ErrorCase> malformedSelectors() {
        return Stream.of(
                // TestSelectorParse
                new ErrorCase("unescaped equals after ||", "x=a||y=b", UNESCAPED_EQUALS),
                new ErrorCase("two double equals", "x==a==b", UNESCAPED_EQUALS),
                new ErrorCase("term without an operator", "x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'"),
                new ErrorCase("set syntax", "x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'"),
                new ErrorCase("set syntax, first sorted term reported", "x in (a,b,c)",
                        "invalid selector: 'x in (a,b,c)'; can't understand 'b'"),
                new ErrorCase("key alone", "x", "invalid selector: 'x'; can't understand 'x'"),
                // TestEscapeValue / TestSplitTerm invalid escapes
                new ErrorCase("escaped letter", "k=\\a", BAD_ESCAPE + "\\a"),
                new ErrorCase("lone backslash", "k=\\", BAD_ESCAPE + "\\"),
                new ErrorCase("three backslashes", "k=\\\\\\", BAD_ESCAPE + "\\"),
                new ErrorCase("escaped letters and a trailing backslash", "k=\\a\\b\\", BAD_ESCAPE + "\\a"),
                new ErrorCase("escaped bang", "k=\\!", BAD_ESCAPE + "\\!"),
                new ErrorCase("trailing backslash after a value", "k=v\\", BAD_ESCAPE + "\\"),
                // the first operator splits the term, the rest is the value
                new ErrorCase("not equals then equals", "x!==a", UNESCAPED_EQUALS),
                new ErrorCase("equals then not equals", "x=!=a", UNESCAPED_EQUALS),
                new ErrorCase("escape in the field does not escape the operator", "a\\=b=c", UNESCAPED_EQUALS),
                // errors come in the order of the sorted terms
                new ErrorCase("bad escape sorted before a bad term", "z,a=\\a", BAD_ESCAPE + "\\a"),
                // whitespace is not skipped
                new ErrorCase("space alone", " ", "invalid selector: ' '; can't understand ' '"),
                new ErrorCase("space after a comma", "x=a, ", "invalid selector: 'x=a, '; can't understand ' '"));
    }

    @ParameterizedTest
    @MethodSource("malformedSelectors")
    void parse_malformedSelectors_failWithTheKubernetesMessage(ErrorCase c) {
        assertBadRequest(() -> FieldSelector.parse(c.selector()), c.message());
    }

    // ---------------------------------------------------------------------------------------------------------
    // matching

    static Stream<MatchCase> matchTable() {
        return Stream.of(
                // TestSelectorMatches
                new MatchCase("empty selects anything", "", fields("x", "y"), true),
                new MatchCase("equals", "x=y", fields("x", "y"), true),
                new MatchCase("two equals", "x=y,z=w", fields("x", "y", "z", "w"), true),
                new MatchCase("two not equals", "x!=y,z!=w", fields("x", "z", "z", "a"), true),
                new MatchCase("notin and in are plain words", "notin=in", fields("notin", "in"), true),
                new MatchCase("equals another value", "x=y", fields("x", "z"), false),
                new MatchCase("one of two equals fails", "x=y,z=w", fields("x", "w", "z", "w"), false),
                new MatchCase("one of two not equals fails", "x!=y,z!=w", fields("x", "z", "z", "w"), false),
                new MatchCase("escaped value", "foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\",
                        fields("foo", "bar", "baz", "blah", "complex", "=value\\,\\"), true),
                new MatchCase("double equals", "x==y", fields("x", "y"), true),
                // a missing field reads as ""
                new MatchCase("equals nothing on a missing field", "x=", fields(), true),
                new MatchCase("equals nothing on an empty field", "x=", fields("x", ""), true),
                new MatchCase("not equals on a missing field", "x!=a", fields(), true),
                new MatchCase("equals on a missing field", "x=a", fields(), false),
                new MatchCase("not equals nothing on a missing field", "x!=", fields(), false),
                new MatchCase("not equals nothing on a value", "x!=", fields("x", "a"), true),
                new MatchCase("spaces are part of the field and value", "x = y", fields("x", "y"), false),
                new MatchCase("spaces match a field named with them", "x = y", fields("x ", " y"), true));
    }

    @ParameterizedTest
    @MethodSource("matchTable")
    void matches_fieldSets_selectAsKubernetesDoes(MatchCase c) {
        FieldSelector selector = FieldSelector.parse(c.selector());

        assertThat(selector.matches(c.fields()::get)).as("missing field read as null").isEqualTo(c.matches());
        assertThat(selector.matches(f -> c.fields().getOrDefault(f, ""))).as("missing field read as \"\"")
                .isEqualTo(c.matches());
    }

    @Test
    void everything_matchesAnyFields_andIsEmpty() {
        for (FieldSelector everything : List.of(FieldSelector.everything(), FieldSelector.parse(""),
                FieldSelector.parse(","))) {
            assertThat(everything.isEverything()).isTrue();
            assertThat(everything.toString()).isEmpty();
            assertThat(everything.requirements()).isEmpty();
            assertThat(everything.matches(fields("x", "y")::get)).isTrue();
            assertThat(everything.matches(f -> null)).isTrue();
        }
        assertThat(FieldSelector.parse("x=").isEverything()).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------
    // escaping (EscapeValue / UnescapeValue)

    static Stream<EscapeCase> escapes() {
        return Stream.of(
                new EscapeCase("empty", "", ""),
                new EscapeCase("plain", "a", "a"),
                new EscapeCase("equals", "=", "\\="),
                new EscapeCase("comma", ",", "\\,"),
                new EscapeCase("backslash", "\\", "\\\\"),
                new EscapeCase("all three", "\\=\\,\\", "\\\\\\=\\\\\\,\\\\"),
                new EscapeCase("bang is not escaped", "!", "!"));
    }

    @ParameterizedTest
    @MethodSource("escapes")
    void escape_values_roundTripThroughParse(EscapeCase c) {
        assertThat(FieldSelector.escape(c.raw())).isEqualTo(c.escaped());
        assertThat(FieldSelector.parse("k=" + c.escaped()).requirements()).containsExactly(eq("k", c.raw()));
        assertThat(FieldSelector.of("k", c.raw()).toString()).isEqualTo("k=" + c.escaped());
    }

    @Test
    void of_oneTerm_matchesTheLiteralValue() {
        FieldSelector selector = FieldSelector.of("foo", "=blah");

        assertThat(selector.toString()).isEqualTo("foo=\\=blah");
        assertThat(selector.matches(fields("foo", "=blah")::get)).isTrue();
        assertThat(selector.matches(fields("foo", "blah")::get)).isFalse();
        assertThat(FieldSelector.of("x", "y").matches(fields("x", "y")::get)).isTrue();
        assertThat(FieldSelector.of("x", "y").matches(fields("x", "z")::get)).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------
    // field labels (ConvertFieldLabel)

    static Stream<SupportCase> fieldLabels() {
        return Stream.of(
                new SupportCase("pod node name", BuiltinTypes.PODS, "spec.nodeName=n1", null),
                new SupportCase("pod host alias", BuiltinTypes.PODS, "spec.host=n1", null),
                new SupportCase("pod namespace and name", BuiltinTypes.PODS, "metadata.namespace=a,metadata.name=b",
                        null),
                new SupportCase("pod IPs", BuiltinTypes.PODS, "status.podIPs=", null),
                new SupportCase("pod unknown label", BuiltinTypes.PODS, "foo=bar", "field label not supported: foo"),
                new SupportCase("pod first sorted unknown label", BuiltinTypes.PODS, "zzz=1,spec.nodeName=a,aaa=2",
                        "field label not supported: aaa"),
                new SupportCase("node unschedulable", BuiltinTypes.NODES, "spec.unschedulable=true", null),
                new SupportCase("node namespace", BuiltinTypes.NODES, "metadata.namespace=",
                        "field label not supported: metadata.namespace"),
                new SupportCase("namespace phase", BuiltinTypes.NAMESPACES, "status.phase=Active", null),
                new SupportCase("namespace legacy name", BuiltinTypes.NAMESPACES, "name=a",
                        "field label not supported: name"),
                new SupportCase("secret type", BuiltinTypes.SECRETS, "type=Opaque", null),
                new SupportCase("service type", BuiltinTypes.SERVICES, "spec.type=ClusterIP", null),
                new SupportCase("event involved object", BuiltinTypes.EVENTS, "involvedObject.kind=Pod,reason=Started",
                        null),
                new SupportCase("event unknown label", BuiltinTypes.EVENTS, "message=x",
                        "field label not supported: message"),
                new SupportCase("config map name", BuiltinTypes.CONFIG_MAPS, "metadata.name=a", null),
                new SupportCase("config map data", BuiltinTypes.CONFIG_MAPS, "data.x=a",
                        "\"data.x\"" + DEFAULT_LABELS),
                new SupportCase("deployment replicas", BuiltinTypes.DEPLOYMENTS, "status.replicas=1",
                        "\"status.replicas\"" + DEFAULT_LABELS),
                new SupportCase("replica set replicas", BuiltinTypes.REPLICA_SETS, "status.replicas=1",
                        "\"status.replicas\"" + DEFAULT_LABELS),
                new SupportCase("job successful", BuiltinTypes.JOBS, "status.successful=1", null),
                new SupportCase("job active", BuiltinTypes.JOBS, "status.active=1",
                        "field label \"status.active\" not supported for Job"),
                new SupportCase("cluster-scoped default type accepts namespace", BuiltinTypes.PRIORITY_CLASSES,
                        "metadata.namespace=", null));
    }

    @ParameterizedTest
    @MethodSource("fieldLabels")
    void checkSupported_fieldLabels_acceptedOrRejectedAsKubeApiserverDoes(SupportCase c) {
        FieldSelector selector = FieldSelector.parse(c.selector());

        if (c.message() == null) {
            selector.checkSupported(c.type());
        } else {
            assertBadRequest(() -> selector.checkSupported(c.type()), c.message());
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Requirement eq(String field, String value) {
        return new Requirement(field, false, value);
    }

    private static Requirement ne(String field, String value) {
        return new Requirement(field, true, value);
    }

    private static Map<String, String> fields(String... keysAndValues) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            fields.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return fields;
    }

    private static void assertBadRequest(ThrowingCallable call, String message) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected a BadRequest ApiException").isInstanceOf(ApiException.class);
        ApiException e = (ApiException) thrown;
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.reason()).isEqualTo("BadRequest");
        assertThat(e.getMessage()).isEqualTo(message);
    }
}
