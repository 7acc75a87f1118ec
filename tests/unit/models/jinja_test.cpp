// Tests of the Jinja2 template engine behind the dbt-compatible models runner:
// syntax, expressions, statements, filters, scoping, the host API, and errors.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "models/jinja/environment.hpp"
#include "models/jinja/parser.hpp"

namespace wharf::models::jinja {
namespace {

std::string Render(std::string_view source, const Dict& context = {}) {
  Environment env;
  return env.RenderString(source, "test.sql", context);
}

// The message of the wharf::Error rendering `source` throws ("" if none).
std::string ErrorOf(std::string_view source, const Dict& context = {}) {
  try {
    Render(source, context);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    return e.message();
  }
  ADD_FAILURE() << "no error rendering: " << source;
  return "";
}

// ---- template syntax ----

TEST(JinjaSyntax, PlainTextPassesThrough) {
  EXPECT_EQ(Render("select 1 from t"), "select 1 from t");
  EXPECT_EQ(Render(""), "");
  EXPECT_EQ(Render("a { b } c %} d }}"), "a { b } c %} d }}");
}

TEST(JinjaSyntax, ExpressionsAndComments) {
  EXPECT_EQ(Render("a{{ 1 }}b{# note {{ x }} #}c"), "a1bc");
  EXPECT_EQ(Render("{#\nmulti\nline\n#}x"), "x");
}

TEST(JinjaSyntax, WhitespaceControl) {
  EXPECT_EQ(Render("a  \n  {{- 1 -}}  \n  b"), "a1b");
  EXPECT_EQ(Render("a\n{%- if true %}\nx{% endif -%}\n\nb"), "a\nxb");
  EXPECT_EQ(Render("a \n{#- c -#}\n b"), "ab");
}

TEST(JinjaSyntax, OneTrailingNewlineIsDroppedAndLineEndingsNormalized) {
  // Jinja's keep_trailing_newline=False, which dbt keeps.
  EXPECT_EQ(Render("select 1\n"), "select 1");
  EXPECT_EQ(Render("select 1\n\n"), "select 1\n");
  EXPECT_EQ(Render("a\r\nb\rc"), "a\nb\nc");
}

TEST(JinjaSyntax, NoTrimBlocksByDefault) {
  // dbt keeps Jinja's defaults: the newline after a block tag stays.
  EXPECT_EQ(Render("{% if true %}\nx\n{% endif %}\n!"), "\nx\n\n!");
  EXPECT_EQ(Render("  {% set x = 1 %}\n{{ x }}"), "  \n1");
}

TEST(JinjaSyntax, Raw) {
  EXPECT_EQ(Render("{% raw %}{{ x }}{% if %}{% endraw %}!"), "{{ x }}{% if %}!");
  EXPECT_EQ(Render("a {%- raw -%}  {{ y }}  {%- endraw -%} b"), "a{{ y }}b");
}

TEST(JinjaSyntax, NestedDictBracesInsideExpression) {
  EXPECT_EQ(Render("{{ {'a': {'b': 1}} }}"), "{'a': {'b': 1}}");
}

// ---- literals and output ----

TEST(JinjaLiterals, Strings) {
  EXPECT_EQ(Render(R"({{ 'it''s' }} {{ "say \"hi\"" }} {{ 'a\tb\\n' }})"),
            "its say \"hi\" a\tb\\n");
  EXPECT_EQ(Render(R"({{ 'don\'t' }})"), "don't");
}

TEST(JinjaLiterals, Numbers) {
  EXPECT_EQ(Render("{{ 42 }} {{ -7 }} {{ 2.5 }} {{ 1.0 }} {{ 1e3 }} {{ 1_000 }}"),
            "42 -7 2.5 1.0 1000.0 1000");
}

TEST(JinjaLiterals, BooleansAndNone) {
  EXPECT_EQ(Render("{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}"),
            "True True False False None None");
}

TEST(JinjaLiterals, ListsDictsAndTuples) {
  EXPECT_EQ(Render("{{ ['a', 1, 2.5, none, true] }}"), "['a', 1, 2.5, None, True]");
  EXPECT_EQ(Render("{{ {'k': 'v', 'n': [1]} }}"), "{'k': 'v', 'n': [1]}");
  EXPECT_EQ(Render("{{ (1, 2)[1] }} {{ () | length }} {{ [1, 2,] | length }}"), "2 0 2");
  EXPECT_EQ(Render("{{ [\"it's\"] }}"), "[\"it's\"]");
}

TEST(JinjaLiterals, DictKeepsInsertionOrder) {
  EXPECT_EQ(Render("{% for k in {'z': 1, 'a': 2, 'm': 3} %}{{ k }}{% endfor %}"), "zam");
}

// ---- expressions ----

TEST(JinjaExpressions, VariablesAttributesAndItems) {
  Dict ctx{{"user", Dict{{"name", "ann"}, {"tags", List{"x", "y"}}}}, {"i", 1}};
  EXPECT_EQ(Render("{{ user.name }} {{ user['name'] }} {{ user.tags[0] }} {{ user.tags[i] }}", ctx),
            "ann ann x y");
  EXPECT_EQ(Render("{{ user.tags[-1] }} {{ user.tags.0 }} {{ 'abc'[1] }}", ctx), "y x b");
}

TEST(JinjaExpressions, Slices) {
  EXPECT_EQ(Render("{{ [1, 2, 3, 4][1:3] }} {{ 'abcdef'[:2] }} {{ 'abcdef'[-2:] }}"),
            "[2, 3] ab ef");
}

TEST(JinjaExpressions, Arithmetic) {
  EXPECT_EQ(Render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 - 10 }}"), "7 9 -3");
  EXPECT_EQ(Render("{{ 7 / 2 }} {{ 6 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }}"),
            "3.5 3.0 3 -4 1 2");
  EXPECT_EQ(Render("{{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1.5 + 1 }} {{ 0.1 + 0.2 }}"),
            "1024 0.5 2.5 0.30000000000000004");
  EXPECT_EQ(Render("{{ 'ab' + 'cd' }} {{ [1] + [2] }} {{ 'ab' * 2 }} {{ -(3) }} {{ +3 }}"),
            "abcd [1, 2] abab -3 3");
}

TEST(JinjaExpressions, Concatenation) {
  EXPECT_EQ(Render("{{ 'a' ~ 1 ~ none ~ true ~ missing ~ 2.0 }}"), "a1NoneTrue2.0");
}

TEST(JinjaExpressions, Comparisons) {
  EXPECT_EQ(Render("{{ 1 == 1.0 }} {{ 1 != 2 }} {{ 1 < 2 }} {{ 2 <= 2 }} {{ 3 > 4 }} {{ 3 >= 4 }}"),
            "True True True True False False");
  EXPECT_EQ(Render("{{ 'a' < 'b' }} {{ [1, 2] == [1, 2] }} {{ {'a': 1} == {'a': 1} }}"),
            "True True True");
  EXPECT_EQ(Render("{{ none == none }} {{ 'a' == 1 }}"), "True False");
}

TEST(JinjaExpressions, ChainedComparisons) {
  EXPECT_EQ(
      Render("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 1 == 1 == 1 }} {{ 0 < x <= 10 }}", {{"x", 10}}),
      "True False True True");
}

TEST(JinjaExpressions, LogicReturnsOperands) {
  EXPECT_EQ(
      Render("{{ true and false }} {{ 0 or 'x' }} {{ 'a' and 'b' }} {{ not '' }} {{ not 1 }}"),
      "False x b True False");
  // The right side of and/or is not evaluated when the left decides.
  EXPECT_EQ(Render("{{ false and undefined_fn() }}{{ true or undefined_fn() }}"), "FalseTrue");
}

TEST(JinjaExpressions, MembershipInAndNotIn) {
  EXPECT_EQ(Render("{{ 1 in [1, 2] }} {{ 'b' in 'abc' }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }}"),
            "True True True True");
  EXPECT_EQ(Render("{{ not 1 in [1] }}"), "False");
}

TEST(JinjaExpressions, InlineIf) {
  EXPECT_EQ(Render("{{ 'y' if 1 else 'n' }} {{ 'y' if 0 else 'n' }} [{{ 'y' if 0 }}]"), "y n []");
}

TEST(JinjaExpressions, Precedence) {
  // As in Jinja2, `~` binds tighter than + and -, looser than * and /.
  EXPECT_EQ(Render("{{ 1 ~ 2 * 3 }} {{ 2 * 3 ~ 1 }}"), "16 61");
  EXPECT_EQ(Render("{{ -2 ** 2 }} {{ 2 * 3 ** 2 }}"), "4 18");  // Jinja binds unary minus tighter
  EXPECT_EQ(Render("{{ 1 if false or true and true else 2 }}"), "1");
  EXPECT_EQ(Render("{{ -3 | abs }} {{ 10 - -2 | abs }}"), "3 8");
}

TEST(JinjaExpressions, Truthiness) {
  EXPECT_EQ(Render("{% for v in ['', [], {}, 0, 0.0, none, false, 'x', [0], 1] %}"
                   "{{ 'T' if v else 'F' }}{% endfor %}"),
            "FFFFFFFTTT");
  EXPECT_EQ(Render("{{ 'T' if missing else 'F' }}"), "F");
}

TEST(JinjaExpressions, AdjacentStringLiteralsConcatenate) {
  EXPECT_EQ(Render("{{ 'a' 'b' }}"), "ab");
}

// ---- tests (`is`) ----

TEST(JinjaTests, DefinedAndNone) {
  Dict ctx{{"x", 1}, {"n", Value()}};
  EXPECT_EQ(
      Render("{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ y is not defined }}",
             ctx),
      "True False True True");
  EXPECT_EQ(Render("{{ n is none }} {{ x is none }} {{ x is not none }}", ctx), "True False True");
}

TEST(JinjaTests, Types) {
  EXPECT_EQ(Render("{{ 'a' is string }} {{ 1 is number }} {{ 1.5 is number }} {{ 'a' is number }}"),
            "True True True False");
  EXPECT_EQ(
      Render("{{ {} is mapping }} {{ [] is mapping }} {{ [] is iterable }} {{ 'a' is iterable }} "
             "{{ 1 is iterable }} {{ [] is sequence }}"),
      "True False True True False True");
  EXPECT_EQ(Render("{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }}"),
            "True False True False");
  EXPECT_EQ(Render("{{ range is callable }} {{ 1 is integer }} {{ 1.0 is float }}"),
            "True True True");
}

TEST(JinjaTests, WithArguments) {
  EXPECT_EQ(
      Render("{{ 9 is divisibleby 3 }} {{ 9 is divisibleby(2) }} {{ 3 is odd }} {{ 4 is even }}"),
      "True False True True");
  EXPECT_EQ(
      Render("{{ 1 is eq 1 }} {{ 2 is gt(1) }} {{ 'a' is in ['a'] }} {{ none is sameas none }}"),
      "True True True True");
  EXPECT_EQ(Render("{{ 'yes' if x is defined else 'no' }}"), "no");
}

// ---- statements: set ----

TEST(JinjaSet, Inline) {
  EXPECT_EQ(Render("{% set x = 1 + 1 %}{{ x }}{% set x = x * 10 %}{{ x }}"), "220");
}

TEST(JinjaSet, TupleUnpacking) {
  EXPECT_EQ(Render("{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = ['x', 'y'] %}{{ c }}{{ d }}"),
            "12xy");
}

TEST(JinjaSet, Block) {
  EXPECT_EQ(Render("{% set sql %}select {{ 1 }}\nfrom t{% endset %}[{{ sql }}] {{ sql | upper }}"),
            "[select 1\nfrom t] SELECT 1\nFROM T");
}

TEST(JinjaSet, InsideIfIsVisibleAfterwards) {
  // `if` opens no scope, unlike `for`.
  EXPECT_EQ(Render("{% if true %}{% set x = 'set' %}{% endif %}{{ x }}"), "set");
}

TEST(JinjaSet, UnpackMismatchIsAnError) {
  EXPECT_EQ(ErrorOf("{% set a, b = [1, 2, 3] %}"),
            "test.sql:1:15: cannot unpack 3 values into 2 names");
}

// ---- statements: if ----

TEST(JinjaIf, ElifElse) {
  const char* tmpl =
      "{% if x > 2 %}big{% elif x > 1 %}mid{% elif x > 0 %}small{% else %}none{% endif %}";
  EXPECT_EQ(Render(tmpl, {{"x", 3}}), "big");
  EXPECT_EQ(Render(tmpl, {{"x", 2}}), "mid");
  EXPECT_EQ(Render(tmpl, {{"x", 1}}), "small");
  EXPECT_EQ(Render(tmpl, {{"x", 0}}), "none");
}

TEST(JinjaIf, Nested) {
  EXPECT_EQ(Render("{% if 1 %}a{% if 0 %}b{% else %}c{% endif %}d{% endif %}"), "acd");
}

// ---- statements: for ----

TEST(JinjaFor, OverListWithLoopVariables) {
  EXPECT_EQ(Render("{% for c in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ c }}"
                   "{{ 'F' if loop.first }}{{ 'L' if loop.last }}/{{ loop.length }} {% endfor %}"),
            "10aF/3 21b/3 32cL/3 ");
}

TEST(JinjaFor, CommaSeparatedColumns) {
  EXPECT_EQ(Render("{% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}",
                   {{"cols", List{"id", "name", "email"}}}),
            "id, name, email");
}

TEST(JinjaFor, OverDictItemsWithUnpacking) {
  EXPECT_EQ(Render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}",
                   {{"d", Dict{{"a", 1}, {"b", "x"}}}}),
            "a=1;b=x;");
  EXPECT_EQ(Render("{% for k in d %}{{ k }}{% endfor %}", {{"d", Dict{{"a", 1}, {"b", 2}}}}), "ab");
}

TEST(JinjaFor, ElseForEmptyLoops) {
  EXPECT_EQ(Render("{% for x in [] %}{{ x }}{% else %}empty{% endfor %}"), "empty");
  EXPECT_EQ(Render("{% for x in missing %}{{ x }}{% else %}none{% endfor %}"), "none");
  EXPECT_EQ(Render("{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}"), "1");
}

TEST(JinjaFor, NestedLoopsAndRange) {
  EXPECT_EQ(Render("{% for i in range(2) %}{% for j in range(1, 3) %}{{ i }}{{ j }}"
                   "{{ loop.index }} {% endfor %}{{ loop.index }}|{% endfor %}"),
            "011 022 1|111 122 2|");
  EXPECT_EQ(Render("{{ range(10, 0, -3) }}"), "[10, 7, 4, 1]");
}

TEST(JinjaFor, LoopFilterAndCycle) {
  EXPECT_EQ(Render("{% for x in range(6) if x is even %}{{ x }}{{ loop.cycle('a', 'b') }}"
                   "{{ loop.length }} {% endfor %}"),
            "0a3 2b3 4a3 ");
}

TEST(JinjaFor, SetInsideLoopDoesNotLeak) {
  EXPECT_EQ(Render("{% set total = 0 %}{% for x in [1, 2] %}{% set total = total + x %}"
                   "{{ total }}{% endfor %}|{{ total }}"),
            "12|0");
}

TEST(JinjaFor, RevindexPrevitemNextitem) {
  EXPECT_EQ(
      Render("{% for x in 'abc' %}{{ loop.revindex }}{{ loop.revindex0 }}"
             "{{ loop.previtem | default('-') }}{{ loop.nextitem | default('-') }} {% endfor %}"),
      "32-b 21ac 10b- ");
}

TEST(JinjaFor, LoopTargetDoesNotLeak) {
  EXPECT_EQ(Render("{% set x = 'outer' %}{% for x in [1, 2] %}{{ x }}{% endfor %} {{ x }}"),
            "12 outer");
}

TEST(JinjaFor, BreakAndContinue) {
  EXPECT_EQ(Render("{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}"
                   "{% if x > 5 %}{% break %}{% endif %}{{ x }}{% endfor %}"),
            "024");
  EXPECT_EQ(Render("{% for a in [1, 2] %}{% for b in [1, 2] %}{% if b == 2 %}{% break %}{% endif %}"
                   "{{ a }}{{ b }} {% endfor %}{% endfor %}"),
            "11 21 ");
}

TEST(JinjaFor, BreakOutsideLoopIsAnError) {
  EXPECT_EQ(ErrorOf("{% break %}"), "test.sql:1:4: 'break' is only allowed inside a for loop");
  EXPECT_EQ(ErrorOf("{% for x in y %}{% macro m() %}{% continue %}{% endmacro %}{% endfor %}"),
            "test.sql:1:35: 'continue' is only allowed inside a for loop");
}

TEST(JinjaFor, OverStringCharacters) {
  EXPECT_EQ(Render("{% for ch in 'abc' %}{{ ch }}.{% endfor %}"), "a.b.c.");
}

// ---- namespace ----

TEST(JinjaNamespace, AttributesSurviveLoops) {
  EXPECT_EQ(Render("{% set ns = namespace(total=0, found=false) %}"
                   "{% for x in [1, 2, 3] %}{% set ns.total = ns.total + x %}"
                   "{% if x == 2 %}{% set ns.found = true %}{% endif %}{% endfor %}"
                   "{{ ns.total }} {{ ns.found }}"),
            "6 True");
}

TEST(JinjaNamespace, SettingAttributeOnNonNamespaceFails) {
  EXPECT_EQ(ErrorOf("{% set d = {} %}{% set d.x = 1 %}"),
            "test.sql:1:30: cannot set 'd.x': 'd' is not a namespace; create it with "
            "{% set d = namespace() %}");
}

// ---- macros ----

TEST(JinjaMacro, DefaultsAndKeywordArguments) {
  const char* tmpl =
      "{% macro greet(name, greeting='hello', punct='!') %}{{ greeting }} {{ name }}{{ punct }}"
      "{% endmacro %}{{ greet('ann') }}|{{ greet('bob', 'hi') }}|{{ greet(punct='?', name='cy') }}";
  EXPECT_EQ(Render(tmpl), "hello ann!|hi bob!|hello cy?");
}

TEST(JinjaMacro, MissingArgumentIsUndefinedAndExtrasAreVarargs) {
  EXPECT_EQ(Render("{% macro m(a, b) %}[{{ a }}][{{ b }}]{{ varargs }}{{ kwargs }}{% endmacro %}"
                   "{{ m(1) }} {{ m(1, 2, 3, k=4) }}"),
            "[1][][]{} [1][2][3]{'k': 4}");
}

TEST(JinjaMacro, DefaultMayReferToEarlierParameter) {
  EXPECT_EQ(Render("{% macro m(a, b=a * 2) %}{{ b }}{% endmacro %}{{ m(4) }}"), "8");
}

TEST(JinjaMacro, HasOwnScopeAndSeesGlobals) {
  Environment env;
  env.AddGlobal("schema", "analytics");
  std::string out = env.RenderString(
      "{% set outer = 'o' %}{% macro m() %}{% set local = 1 %}{{ schema }}.{{ outer }}"
      "{% endmacro %}{{ m() }}[{{ local }}]",
      "t.sql");
  EXPECT_EQ(out, "analytics.o[]");
}

TEST(JinjaMacro, CallableBeforeDefinitionAndRecursive) {
  EXPECT_EQ(Render("{{ fact(5) }}{% macro fact(n) %}{% if n <= 1 %}1{% else %}"
                   "{{ n * (fact(n - 1) | int) }}{% endif %}{% endmacro %}"),
            "120");
}

TEST(JinjaMacro, ReturnGivesAValueInsteadOfText) {
  const char* tmpl =
      "{% macro cols() %}ignored text{{ return(['a', 'b']) }}more{% endmacro %}"
      "{% set c = cols() %}{{ c | length }} {{ c[1] }} {{ cols() is string }}";
  EXPECT_EQ(Render(tmpl), "2 b False");
}

TEST(JinjaMacro, ReturnFromNestedStatements) {
  EXPECT_EQ(
      Render("{% macro pick(xs) %}{% for x in xs %}{% if x > 1 %}{{ return(x) }}{% endif %}"
             "{% endfor %}{{ return(none) }}{% endmacro %}{{ pick([1, 5, 7]) }} {{ pick([]) }}"),
      "5 None");
}

TEST(JinjaMacro, ReturnOutsideMacroIsAnError) {
  EXPECT_EQ(ErrorOf("{{ return(1) }}"),
            "test.sql: return() was called outside a macro; use it only inside {% macro %}");
}

TEST(JinjaMacro, OutputIsAString) {
  EXPECT_EQ(Render("{% macro m() %}42{% endmacro %}{{ m() ~ '!' }} {{ m() is string }}"),
            "42! True");
}

TEST(JinjaMacro, CallerInCallBlock) {
  const char* tmpl =
      "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}"
      "{% set who = 'ann' %}{% call wrap('b') %}hi {{ who }}{% endcall %}";
  EXPECT_EQ(Render(tmpl), "<b>hi ann</b>");
}

TEST(JinjaMacro, CallBlockWithCallerArguments) {
  const char* tmpl =
      "{% macro each(xs) %}{% for x in xs %}{{ caller(x) }};{% endfor %}{% endmacro %}"
      "{% call(item) each([1, 2]) %}<{{ item }}>{% endcall %}";
  EXPECT_EQ(Render(tmpl), "<1>;<2>;");
}

TEST(JinjaMacro, CallerPassedAsKeyword) {
  EXPECT_EQ(Render("{% macro m() %}[{{ caller() }}]{% endmacro %}"
                   "{% macro body() %}b{% endmacro %}{{ m(caller=body) }}"),
            "[b]");
}

// ---- do, filter blocks ----

TEST(JinjaMacro, TwoValuesForOneArgumentIsAnError) {
  EXPECT_EQ(ErrorOf("{% macro m(a) %}{% endmacro %}{{ m(1, a=2) }}"),
            "test.sql:1:34: got two values for the argument 'a'");
}

TEST(JinjaMacro, EndlessRecursionIsAnError) {
  std::string message = ErrorOf(
      "{% macro loop_forever(n) %}{{ loop_forever(n + 1) }}{% endmacro %}"
      "{{ loop_forever(0) }}");
  EXPECT_NE(message.find("macro 'loop_forever' nests deeper than 250 calls"), std::string::npos)
      << message;
}

TEST(JinjaDo, MutatesLists) {
  EXPECT_EQ(Render("{% set xs = [] %}{% for i in range(3) %}{% do xs.append(i * i) %}{% endfor %}"
                   "{{ xs }}"),
            "[0, 1, 4]");
}

TEST(JinjaDo, MutatesDicts) {
  EXPECT_EQ(
      Render("{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{% do d.update(c=3) %}{{ d }}"),
      "{'a': 1, 'b': 2, 'c': 3}");
}

TEST(JinjaFilterBlock, AppliesFilterChain) {
  EXPECT_EQ(Render("{% filter upper | replace('A', '4') %}abc {{ 'a' }}{% endfilter %}"), "4BC 4");
}

// ---- methods ----

TEST(JinjaMethods, Dict) {
  Dict ctx{{"d", Dict{{"a", 1}, {"b", 2}}}};
  EXPECT_EQ(Render("{{ d.keys() }} {{ d.values() }} {{ d.items() }}", ctx),
            "['a', 'b'] [1, 2] [['a', 1], ['b', 2]]");
  EXPECT_EQ(
      Render("{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {{ d.a }} {{ d['b'] }}", ctx),
      "1 None 0 1 2");
  EXPECT_EQ(Render("{{ d.pop('a') }} {{ d }}", ctx), "1 {'b': 2}");
}

TEST(JinjaMethods, String) {
  EXPECT_EQ(Render("{{ 'AbC'.lower() }} {{ 'abc'.upper() }} [{{ '  x  '.strip() }}] "
                   "{{ 'xxhixx'.strip('x') }}"),
            "abc ABC [x] hi");
  EXPECT_EQ(Render("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a.b.c'.split('.', 1) }}"),
            "['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b.c']");
  EXPECT_EQ(Render("{{ 'aaa'.replace('a', 'b') }} {{ 'aaa'.replace('a', 'b', 2) }}"), "bbb bba");
  EXPECT_EQ(Render("{{ 'model.x'.startswith('model.') }} {{ 'x.sql'.endswith(('.py', '.sql')) }} "
                   "{{ 'x'.startswith('y') }}"),
            "True True False");
  EXPECT_EQ(Render("{{ ', '.join(['a', 'b']) }} {{ '{}-{}-{x}'.format(1, 2, x=3) }}"),
            "a, b 1-2-3");
}

TEST(JinjaMethods, List) {
  EXPECT_EQ(Render("{% set xs = [3, 1] %}{% do xs.extend([2]) %}{{ xs.pop() }} {{ xs }} "
                   "{{ xs.index(1) }} {{ xs.count(3) }}"),
            "2 [3, 1] 1 1");
}

// ---- filters ----

TEST(JinjaFilters, StringCase) {
  EXPECT_EQ(Render("{{ 'Ab' | lower }} {{ 'Ab' | upper }} {{ 'hello WORLD' | capitalize }} "
                   "{{ 'hello big-world' | title }}"),
            "ab AB Hello world Hello Big-World");
}

TEST(JinjaFilters, TrimAndReplace) {
  EXPECT_EQ(
      Render("[{{ '  a b \n' | trim }}] {{ 'xax' | trim('x') }} {{ 'a-b-c' | replace('-', '_') }} "
             "{{ 'a-b-c' | replace('-', '', 1) }}"),
      "[a b] a a_b_c ab-c");
}

TEST(JinjaFilters, Join) {
  EXPECT_EQ(Render("{{ ['a', 'b', 1] | join(', ') }} {{ [1, 2] | join }}"), "a, b, 1 12");
  EXPECT_EQ(Render("{{ cols | join(', ', attribute='name') }}",
                   {{"cols", List{Dict{{"name", "id"}}, Dict{{"name", "ts"}}}}}),
            "id, ts");
}

TEST(JinjaFilters, LengthAndCount) {
  EXPECT_EQ(
      Render("{{ [1, 2] | length }} {{ 'abc' | count }} {{ {'a': 1} | length }} {{ x | length }}"),
      "2 3 1 0");
}

TEST(JinjaFilters, Default) {
  EXPECT_EQ(
      Render("{{ x | default('dflt') }} {{ '' | default('dflt') }} {{ '' | d('dflt', true) }} "
             "{{ none | default('dflt') }} {{ 0 | default(5, boolean=true) }} [{{ x | d }}]"),
      "dflt  dflt None 5 []");
}

TEST(JinjaFilters, Map) {
  EXPECT_EQ(Render("{{ ['A', 'B'] | map('lower') | join(',') }}"), "a,b");
  EXPECT_EQ(Render("{{ ['a-b', 'c-d'] | map('replace', '-', '_') | list }}"), "['a_b', 'c_d']");
  EXPECT_EQ(Render("{{ users | map(attribute='name') | list }} {{ users | map(attribute='x', "
                   "default='?') | join }}",
                   {{"users", List{Dict{{"name", "ann"}}, Dict{{"name", "bob"}}}}}),
            "['ann', 'bob'] ??");
}

TEST(JinjaFilters, ListFirstLast) {
  EXPECT_EQ(Render("{{ 'ab' | list }} {{ [3, 4] | first }} {{ [3, 4] | last }} [{{ [] | first }}] "
                   "{{ {'k': 1} | list }}"),
            "['a', 'b'] 3 4 [] ['k']");
}

TEST(JinjaFilters, Round) {
  EXPECT_EQ(
      Render("{{ 2.7 | round }} {{ 2.5 | round }} {{ 3.14159 | round(2) }} "
             "{{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(method='floor') }} {{ 3 | round }}"),
      "3.0 2.0 3.14 3.0 2.0 3");
  EXPECT_EQ(Render("{{ 2.7 | round | int }}"), "3");
}

TEST(JinjaFilters, RoundLikePython) {
  // 2.675 is stored as 2.67499999..., so Python (and Jinja) round it down.
  EXPECT_EQ(
      Render("{{ 2.675 | round(2) }} {{ -2.5 | round }} {{ 1.5 | round }} {{ 7 | round(1) }}"),
      "2.67 -2.0 2.0 7");
}

TEST(JinjaFilters, IntFloatString) {
  EXPECT_EQ(
      Render(
          "{{ '42' | int }} {{ '3.9' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ 2.9 | int }} "
          "{{ true | int }}"),
      "42 3 0 7 2 1");
  EXPECT_EQ(Render("{{ '2.5' | float }} {{ 2 | float }} {{ 'x' | float }}"), "2.5 2.0 0.0");
  EXPECT_EQ(Render("{{ (12 | string) ~ 'x' }} {{ [1] | string }} {{ none | string }}"),
            "12x [1] None");
}

TEST(JinjaFilters, SortAndUnique) {
  EXPECT_EQ(
      Render("{{ [3, 1, 2] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} "
             "{{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }}"),
      "[1, 2, 3] [3, 2, 1] ['A', 'b', 'c'] ['A', 'b', 'c']");
  EXPECT_EQ(Render("{{ xs | sort(attribute='n') | map(attribute='n') | list }}",
                   {{"xs", List{Dict{{"n", 2}}, Dict{{"n", 1}}}}}),
            "[1, 2]");
  EXPECT_EQ(
      Render("{{ ['a', 'b', 'A', 'a', 'c'] | unique | list }} {{ [1, 2, 1] | unique | list }}"),
      "['a', 'b', 'c'] [1, 2]");
}

TEST(JinjaFilters, SelectReject) {
  EXPECT_EQ(
      Render("{{ [1, 2, 3, 4] | select('odd') | list }} {{ [1, 2, 3, 4] | reject('odd') | list }} "
             "{{ [0, 1, '', 'a'] | select | list }} {{ [1, 5, 9] | select('gt', 4) | list }}"),
      "[1, 3] [2, 4] [1, 'a'] [5, 9]");
}

TEST(JinjaFilters, SelectAttrRejectAttr) {
  Dict ctx{{"cols", List{Dict{{"name", "id"}, {"pk", true}}, Dict{{"name", "v"}, {"pk", false}},
                         Dict{{"name", "w"}, {"pk", Value()}}}}};
  EXPECT_EQ(Render("{{ cols | selectattr('pk') | map(attribute='name') | join }} "
                   "{{ cols | rejectattr('pk') | map(attribute='name') | join }} "
                   "{{ cols | selectattr('name', 'equalto', 'v') | map(attribute='name') | join }} "
                   "{{ cols | rejectattr('pk', 'none') | map(attribute='name') | join }}",
                   ctx),
            "id vw v idv");
}

TEST(JinjaFilters, NumbersAndMisc) {
  EXPECT_EQ(Render("{{ -3 | abs }} {{ -2.5 | abs }} {{ [1, 2, 3] | sum }} {{ [3, 1] | min }} "
                   "{{ [3, 1] | max }} {{ [1, 2] | reverse | list }} {{ 'abc' | reverse }}"),
            "3 2.5 6 1 3 [2, 1] cba");
}

TEST(JinjaFilters, ToJson) {
  EXPECT_EQ(Render("{{ {'b': [1, 2.5, none], 'a': 'x\"<'} | tojson }}"),
            "{\"a\": \"x\\\"\\u003c\", \"b\": [1, 2.5, null]}");
}

TEST(JinjaFilters, Indent) {
  EXPECT_EQ(Render("{{ 'a\nb\n\nc' | indent(2) }}"), "a\n  b\n\n  c");
  EXPECT_EQ(Render("{{ 'a\nb' | indent(first=true) }}"), "    a\n    b");
}

TEST(JinjaFilters, ItemsAndDictGlobal) {
  EXPECT_EQ(Render("{% for k, v in dict(a=1, b=2) | items %}{{ k }}{{ v }}{% endfor %}"), "a1b2");
}

// ---- undefined ----

TEST(JinjaUndefined, RendersEmptyAndChains) {
  EXPECT_EQ(Render("[{{ missing }}][{{ missing.attr }}][{{ missing.a.b }}][{{ missing['k'] }}]"),
            "[][][][]");
  EXPECT_EQ(
      Render("{{ missing.attr is defined }} {{ {'a': 1}.b is defined }} {{ [1][5] is defined }}"),
      "False False False");
}

TEST(JinjaUndefined, CallingIsAnError) {
  EXPECT_EQ(ErrorOf("line1\n  {{ nope(1) }}"),
            "test.sql:2:6: 'nope' is undefined, so it cannot be called: check the spelling, "
            "define the macro, or register the function with the environment");
}

TEST(JinjaUndefined, ArithmeticIsAnError) {
  EXPECT_EQ(ErrorOf("{{ missing + 1 }}"),
            "test.sql:1:12: 'missing' is undefined, so '+' cannot use it: define it or guard it "
            "with 'is defined'");
}

// ---- host API ----

TEST(JinjaHost, GlobalsFunctionsAndContext) {
  Environment env;
  env.AddGlobal("target", Dict{{"schema", "dev"}});
  env.AddFunction("ref", [](const CallArgs& args) {
    return Value("\"db\".\"" + args.positional.at(0).Str() + "\"");
  });
  env.AddFunction("var", [](const CallArgs& args) {
    const Value* fallback = args.Get(1, "default");
    return fallback ? *fallback : Value("v_" + args.positional.at(0).Str());
  });
  Template t = Parse(
      "select * from {{ ref('orders') }} -- {{ target.schema }} {{ var('x') }} "
      "{{ var('y', default=3) }} {{ this }}",
      "model.sql");
  EXPECT_EQ(env.Render(t, {{"this", "me"}}), "select * from \"db\".\"orders\" -- dev v_x 3 me");
  // Parse once, render many times with different contexts.
  EXPECT_EQ(env.Render(t, {{"this", "you"}}), "select * from \"db\".\"orders\" -- dev v_x 3 you");
}

TEST(JinjaHost, ContextShadowsGlobals) {
  Environment env;
  env.AddGlobal("x", 1);
  EXPECT_EQ(env.RenderString("{{ x }}", "t"), "1");
  EXPECT_EQ(env.RenderString("{{ x }}", "t", {{"x", 2}}), "2");
}

TEST(JinjaHost, KeywordArgumentsReachHostFunctions) {
  Environment env;
  Dict seen;
  env.AddFunction("config", [&seen](const CallArgs& args) {
    for (const auto& [k, v] : args.keyword) seen.Set(k, v);
    return Value("");
  });
  EXPECT_EQ(env.RenderString("{{ config(materialized='table', tags=['a']) }}x", "m.sql"), "x");
  ASSERT_NE(seen.Find("materialized"), nullptr);
  EXPECT_EQ(seen.Find("materialized")->Str(), "table");
  EXPECT_EQ(seen.Find("tags")->Repr(), "['a']");
}

TEST(JinjaHost, AddMacrosMakesLibraryMacrosGlobal) {
  Environment env;
  env.AddMacros(
      Parse("{% macro cents_to_dollars(col, scale=2) %}({{ col }} / 100)::numeric(16, "
            "{{ scale }}){% endmacro %}"
            "{% macro cols() %}{{ return(['a', 'b']) }}{% endmacro %}"
            "{% macro uses_other() %}{{ cols() | join('+') }}{% endmacro %}",
            "macros/utils.sql"));
  EXPECT_EQ(
      env.RenderString("select {{ cents_to_dollars('amount') }}, {{ uses_other() }}", "m.sql"),
      "select (amount / 100)::numeric(16, 2), a+b");
}

TEST(JinjaHost, LibraryMacrosSeeRenderContext) {
  Environment env;
  env.AddMacros(Parse("{% macro where() %}{{ this }}{% endmacro %}", "macros/a.sql"));
  EXPECT_EQ(env.RenderString("{{ where() }}", "m.sql", {{"this", "orders"}}), "orders");
}

TEST(JinjaHost, LibraryMacroErrorsNameTheirFile) {
  Environment env;
  env.AddMacros(
      Parse("{% macro bad() %}\n  {{ 1 | nosuchfilter }}{% endmacro %}", "macros/bad.sql"));
  try {
    env.RenderString("{{ bad() }}", "m.sql");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(),
              "macros/bad.sql:2:8: unknown filter 'nosuchfilter': check its name or register it "
              "with Environment::AddFilter");
  }
}

TEST(JinjaHost, TemplateMacroShadowsLibraryMacro) {
  Environment env;
  env.AddMacros(Parse("{% macro name() %}library{% endmacro %}", "macros/a.sql"));
  EXPECT_EQ(env.RenderString("{{ name() }}", "m.sql"), "library");
  EXPECT_EQ(env.RenderString("{% macro name() %}local{% endmacro %}{{ name() }}", "m.sql"),
            "local");
}

TEST(JinjaHost, LibraryMacroWithCallerLikeDbtStatement) {
  Environment env;
  List statements;
  env.AddFunction("run_query", [&statements](const CallArgs& args) {
    statements.push_back(args.positional.at(0));
    return Value();
  });
  env.AddMacros(Parse("{% macro statement(name) %}{% do run_query(caller()) %}{% endmacro %}",
                      "macros/statement.sql"));
  EXPECT_EQ(
      env.RenderString("{% call statement('main') %}select {{ 1 + 1 }}{% endcall %}done", "m.sql"),
      "done");
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].Str(), "select 2");
}

TEST(JinjaHost, ObjectsWithCallableAttributes) {
  // How the dbt layer will expose `adapter.quote(...)` and friends.
  Environment env;
  env.AddGlobal("adapter", Value::MakeObject(
                               Dict{{"type", "duckdb"},
                                    {"quote", Value::MakeFunction("quote", [](const CallArgs& a) {
                                       return Value("\"" + a.positional.at(0).Str() + "\"");
                                     })}}));
  EXPECT_EQ(
      env.RenderString("{{ adapter.quote('id') }} {{ adapter.type }} [{{ adapter.nope }}]", "m"),
      "\"id\" duckdb []");
}

TEST(JinjaHost, CallResultCanBeCalled) {
  Environment env;
  env.AddFunction("dispatch", [](const CallArgs& a) {
    std::string prefix = a.positional.at(0).Str();
    return Value::MakeFunction("impl", [prefix](const CallArgs& b) {
      return Value(prefix + ":" + b.positional.at(0).Str());
    });
  });
  EXPECT_EQ(env.RenderString("{{ dispatch('duckdb')('x') }}", "m"), "duckdb:x");
}

TEST(JinjaValue, HostSideApi) {
  Dict d{{"b", 1}, {"a", 2}};
  d.Set("b", 3);  // replaces in place, keeping the position
  d.Set("c", List{});
  EXPECT_EQ(Value(d).Repr(), "{'b': 3, 'a': 2, 'c': []}");
  EXPECT_TRUE(d.Erase("a"));
  EXPECT_FALSE(d.Erase("a"));
  EXPECT_FALSE(Value(List{}).Truthy());
  EXPECT_TRUE(Value("x").Truthy());
  EXPECT_FALSE(Value::MakeUndefined("x").Truthy());
  EXPECT_EQ(Value(int64_t{3}), Value(3.0));
  EXPECT_EQ(Value(true), Value(1));
  EXPECT_EQ(Value(0.1).Str(), "0.1");
  EXPECT_EQ(Value(-0.5).Str(), "-0.5");
  // Lists are shared by reference, as in Python.
  Value list(List{1});
  Value alias = list;
  alias.AsList().push_back(2);
  EXPECT_EQ(list.Repr(), "[1, 2]");
}

TEST(JinjaHost, TemplateKeepsMacroNames) {
  Template t = Parse("{% macro a() %}{% endmacro %}x{% macro b(x) %}{% endmacro %}", "m.sql");
  EXPECT_EQ(t.MacroNames(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(t.name(), "m.sql");
}

TEST(JinjaHost, CustomFiltersAndTests) {
  Environment env;
  env.AddFilter("quote", [](const Environment&, const Value& v, const CallArgs& a) {
    std::string q = a.positional.empty() ? "\"" : a.positional[0].Str();
    return Value(q + v.Str() + q);
  });
  env.AddTest("short", [](const Environment&, const Value& v, const CallArgs&) {
    return v.Str().size() < 3;
  });
  EXPECT_EQ(env.RenderString("{{ 'id' | quote }} {{ 'id' | quote(\"'\") }} {{ 'id' is short }} "
                             "{{ ['a', 'long'] | select('short') | list }}",
                             "t"),
            "\"id\" 'id' True ['a']");
}

TEST(JinjaHost, HostErrorsPassThrough) {
  Environment env;
  env.AddFunction("ref", [](const CallArgs&) -> Value {
    throw Error(ErrorKind::kConfig, "model 'x' not found: check the name");
  });
  try {
    env.RenderString("{{ ref('x') }}", "m.sql");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "model 'x' not found: check the name");
  }
}

TEST(JinjaHost, ValueOutputFormatting) {
  Dict ctx{{"i", int64_t{-12}},
           {"f", 2.5},
           {"g", 1.0},
           {"big", 1e20},
           {"s", "x"},
           {"n", Value()},
           {"b", false},
           {"l", List{"a", 1, List{}}},
           {"d", Dict{{"k", "it's"}}}};
  EXPECT_EQ(
      Render("{{ i }} {{ f }} {{ g }} {{ big }} {{ s }} {{ n }} {{ b }} {{ l }} {{ d }}", ctx),
      "-12 2.5 1.0 1e+20 x None False ['a', 1, []] {'k': \"it's\"}");
}

// ---- syntax errors ----

TEST(JinjaErrors, UnclosedTags) {
  EXPECT_EQ(ErrorOf("ab\n  {{ x "), "test.sql:2:3: tag '{{' is never closed: add '}}'");
  EXPECT_EQ(ErrorOf("{% if x "), "test.sql:1:1: tag '{%' is never closed: add '%}'");
  EXPECT_EQ(ErrorOf("{# c"), "test.sql:1:1: comment '{#' is never closed: add '#}'");
  EXPECT_EQ(ErrorOf("{{ 'abc }}"),
            "test.sql:1:4: string literal is never closed: add the closing quote");
}

TEST(JinjaErrors, MissingEndTag) {
  EXPECT_EQ(ErrorOf("x\n{% for a in b %}{{ a }}"),
            "test.sql:2:4: '{% for %}' is never closed: add '{% endfor %}'");
  EXPECT_EQ(ErrorOf("{% if a %}{% for x in y %}{% endif %}"),
            "test.sql:1:30: unexpected 'endif' inside the 'for' opened at line 1: close it with "
            "'{% endfor %}' first");
  EXPECT_EQ(ErrorOf("{% macro m() %}"),
            "test.sql:1:4: '{% macro %}' is never closed: add '{% endmacro %}'");
}

TEST(JinjaErrors, StrayEndTag) {
  EXPECT_EQ(ErrorOf("a {% endif %}"),
            "test.sql:1:6: unexpected 'endif': no open block expects it; remove it or open the "
            "block it closes");
}

TEST(JinjaErrors, UnknownTag) {
  EXPECT_EQ(ErrorOf("{% include 'x' %}"),
            "test.sql:1:4: unknown tag 'include': expected if, for, set, macro, call, filter, do, "
            "break, continue or raw");
}

TEST(JinjaErrors, UnexpectedToken) {
  EXPECT_EQ(ErrorOf("{{ 1 + }}"), "test.sql:1:8: unexpected '}}', expected an expression");
  EXPECT_EQ(ErrorOf("{{ a b }}"), "test.sql:1:6: unexpected 'b', expected '}}'");
  EXPECT_EQ(ErrorOf("{% for x of y %}{% endfor %}"),
            "test.sql:1:10: unexpected 'of', expected 'in'");
  EXPECT_EQ(ErrorOf("{% set x = 1 2 %}"),
            "test.sql:1:14: unexpected '2', expected '%}' to end the 'set' tag");
  EXPECT_EQ(ErrorOf("{{ $ }}"), "test.sql:1:4: unexpected character '$' inside a tag");
}

TEST(JinjaErrors, UnclosedRawAndMisplacedElse) {
  EXPECT_EQ(ErrorOf("x {% raw %} {{ y }}"),
            "test.sql:1:3: '{% raw %}' is never closed: add '{% endraw %}'");
  EXPECT_EQ(ErrorOf("{% for x in y %}{% elif z %}{% endfor %}"),
            "test.sql:1:20: unexpected 'elif' inside the 'for' opened at line 1: close it with "
            "'{% endfor %}' first");
  EXPECT_EQ(
      ErrorOf("{% else %}"),
      "test.sql:1:4: unexpected 'else': no open block expects it; remove it or open the block it "
      "closes");
}

TEST(JinjaErrors, ErrorsCarryConfigKindAndLocationOfLaterLines) {
  try {
    Parse("line 1\nline 2\n   {% if %}", "models/m.sql");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig);
    EXPECT_EQ(e.message(), "models/m.sql:3:10: unexpected '%}', expected an expression");
  }
}

// ---- runtime errors ----

TEST(JinjaErrors, UnknownFilterAndTest) {
  EXPECT_EQ(ErrorOf("\n\n{{ 'a' | shout }}"),
            "test.sql:3:8: unknown filter 'shout': check its name or register it with "
            "Environment::AddFilter");
  EXPECT_EQ(ErrorOf("{{ 1 is weird }}"),
            "test.sql:1:6: unknown test 'weird': check its name or register it with "
            "Environment::AddTest");
}

TEST(JinjaErrors, CallingNonCallable) {
  EXPECT_EQ(ErrorOf("{% set x = 'str' %}{{ x() }}", {}),
            "test.sql:1:23: 'x' is a 'str', not a function or macro, so it cannot be called");
}

TEST(JinjaErrors, BadOperands) {
  EXPECT_EQ(ErrorOf("{{ 'a' - 1 }}"),
            "test.sql:1:8: unsupported operand types for -: 'str' and 'int'");
  EXPECT_EQ(ErrorOf("{{ 1 / 0 }}"), "test.sql:1:6: division by zero in '/'");
  EXPECT_EQ(ErrorOf("{{ 1 < 'a' }}"), "test.sql:1:6: cannot compare a 'int' with a 'str'");
  EXPECT_EQ(ErrorOf("{% for x in 5 %}{% endfor %}"),
            "test.sql:1:13: a 'int' is not iterable: loop over a list, dict or string");
}

TEST(JinjaErrors, ErrorInsideMacroNamesMacroLine) {
  EXPECT_EQ(ErrorOf("{% macro m() %}\n\n  {{ 1 | bogus }}\n{% endmacro %}{{ m() }}"),
            "test.sql:3:8: unknown filter 'bogus': check its name or register it with "
            "Environment::AddFilter");
}

}  // namespace
}  // namespace wharf::models::jinja

namespace wharf::models::jinja {
namespace {

TEST(JinjaPercentFormat, FormatsLikePython) {
  EXPECT_EQ(Render("{{ '%s-%d' % ('a', 7) }}"), "a-7");
  EXPECT_EQ(Render("{{ '%05.1f|%-4s|%3d|%x|%%' % (3.14159, 'ab', 5, 255) }}"), "003.1|ab  |  5|ff|%");
  EXPECT_EQ(Render("{{ '%(n)s=%(v)r' % {'n': 'k', 'v': 'x'} }}"), "k='x'");
  EXPECT_EQ(Render("{{ 'only %s' % 'one' }}"), "only one");
  EXPECT_EQ(Render("{{ 10 % 3 }}"), "1");  // still the modulo on numbers
}

TEST(JinjaPercentFormat, ArgumentMismatchesAreErrors) {
  EXPECT_THROW(Render("{{ '%s %s' % ('a',) }}"), Error);
  EXPECT_THROW(Render("{{ '%s' % ('a', 'b') }}"), Error);
  EXPECT_THROW(Render("{{ '%d' % 'x' }}"), Error);
}

TEST(JinjaTestBlocks, DefineTheTestMacro) {
  EXPECT_EQ(Render("{% test positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0"
                   "{% endtest %}{{ test_positive('t', 'c') }}"),
            "select * from t where c <= 0");
  EXPECT_THROW(Render("{% materialization x, default %}{% endmaterialization %}"), Error);
}

}  // namespace
}  // namespace wharf::models::jinja
