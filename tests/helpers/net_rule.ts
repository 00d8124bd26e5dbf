/**
 * @module
 * A `deno lint` rule, run by `tests/plugins_test.ts` over every file in
 * `plugins/`: a plugin reaches the network only through its job context's
 * `fetch`, the one `lib/net.ts` makes, which keeps to the workflow's `net`
 * hosts and the ones the person allowed. Deno's permission set allows every
 * host (SECURITY.md says why), so the global `fetch`, `Deno.connect` and
 * their kin would go around that allow-list; this rule refuses them in the
 * source. It reads the syntax tree, so words in strings, comments and JSX
 * text are not mistaken for calls.
 */

type Node = Deno.lint.Node;

/** What each way around the allow-list is called in a message. */
const FIX = "use ctx.fetch (the job context's fetch), which keeps to the workflow's net hosts " +
  "and the ones allowed with --net-host";

/** Node modules that open sockets of their own. */
const NODE_SOCKETS = /^node:(net|tls|http|https|http2|dgram)$/;

/** `Deno.*` functions that open a connection. */
const DENO_SOCKETS = /^(connect|connectTls|connectQuic|startTls)$/;

/** The node `node` sits in (none for the program itself). */
function parentOf(node: Node): Node | undefined {
  return "parent" in node ? node.parent as Node : undefined;
}

/** Whether `pattern` (a parameter, or part of one) binds the name `name`. */
function binds(pattern: Node | null | undefined, name: string): boolean {
  if (!pattern) return false;
  switch (pattern.type) {
    case "Identifier":
      return pattern.name === name;
    case "AssignmentPattern":
      return binds(pattern.left, name);
    case "RestElement":
      return binds(pattern.argument, name);
    case "ArrayPattern":
      return pattern.elements.some((e) => binds(e, name));
    case "ObjectPattern":
      return pattern.properties.some((p) =>
        p.type === "RestElement" ? binds(p, name) : binds(p.value as Node, name)
      );
    default:
      return false;
  }
}

/** Whether `node` sits inside a function one of whose parameters binds `name`. */
function boundByParameter(node: Node, name: string): boolean {
  for (let at = parentOf(node); at; at = parentOf(at)) {
    if (
      (at.type === "FunctionDeclaration" || at.type === "FunctionExpression" ||
        at.type === "ArrowFunctionExpression") &&
      at.params.some((p) => binds(p as Node, name))
    ) return true;
  }
  return false;
}

/** Whether the identifier `node` is a name being bound (a parameter, a pattern), not a use. */
function isBinding(node: Node): boolean {
  for (let at = node, parent = parentOf(at); parent; at = parent, parent = parentOf(at)) {
    if (parent.type === "ObjectPattern" || parent.type === "ArrayPattern") return true;
    if (
      (parent.type === "FunctionDeclaration" || parent.type === "FunctionExpression" ||
        parent.type === "ArrowFunctionExpression") && parent.params.includes(at as never)
    ) return true;
    if (parent.type === "VariableDeclarator") return parent.id === at;
    if (parent.type !== "Property" && parent.type !== "AssignmentPattern") return false;
  }
  return false;
}

/** The name a member expression reads (`a.b`, `a["b"]`), if it is a plain one. */
function memberName(node: Deno.lint.MemberExpression): string | undefined {
  const p = node.property;
  if (!node.computed && p.type === "Identifier") return p.name;
  if (node.computed && p.type === "Literal" && typeof p.value === "string") return p.value;
  return undefined;
}

/** The lint plugin: one rule, `plugin-net`. */
export const netRule: Deno.lint.Plugin = {
  name: "cardflow",
  rules: {
    "plugin-net": {
      create(context) {
        const report = (node: Node, what: string) =>
          context.report({ node, message: `${what}: ${FIX}.` });
        return {
          'Identifier[name="fetch"]'(node: Deno.lint.Identifier) {
            const parent = node.parent as Node;
            if (parent.type === "MemberExpression" && parent.property === node) return;
            if (parent.type === "Property" && parent.key === node && !parent.shorthand) return;
            if (parent.type === "Property" && parent.shorthand && parent.key === node) {
              // A shorthand property holds the name twice; the value is checked.
              if (parent.value !== node) return;
            }
            if (isBinding(node) || boundByParameter(node, "fetch")) return;
            report(node, "it uses the global fetch");
          },
          MemberExpression(node) {
            const object = node.object;
            if (object.type !== "Identifier") return;
            const name = memberName(node);
            if (name === "fetch" && ["globalThis", "window", "self"].includes(object.name)) {
              report(node, `it calls ${object.name}.fetch`);
            }
            if (object.name === "Deno" && name && DENO_SOCKETS.test(name)) {
              report(node, `it opens a connection with Deno.${name}`);
            }
          },
          NewExpression(node) {
            const callee = node.callee;
            if (callee.type === "Identifier" && /^(WebSocket|EventSource)$/.test(callee.name)) {
              report(node, `it opens a ${callee.name}`);
            }
          },
          ImportDeclaration(node) {
            if (NODE_SOCKETS.test(node.source.value)) {
              report(node, `it imports ${node.source.value}, which opens its own sockets`);
            }
          },
        };
      },
    },
  },
};

/** Problems the rule finds in `source` (named `file`), each as `file:line: message`. */
export function netProblems(file: string, source: string): string[] {
  return Deno.lint.runPlugin(netRule, file, source).map((d) => {
    const line = source.slice(0, d.range[0]).split("\n").length;
    return `${file}:${line}: ${d.message}`;
  });
}
