//! Bicep syntax: tokens, declarations and expressions (into the shared
//! [`Expr`](super::super::expr::Expr) tree), with the line of every declaration and
//! object member. Only declarations are read; what the readers do not evaluate is
//! still parsed (so the file is checked) and reported by the reader.

use serde_json::Value;

pub(super) use super::super::expr::Loop;
use super::super::expr::{Expr, Kind, Member, MAX_NESTING};

/// A syntax error: 1-based line and column, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// One token, with where it is.
#[derive(Debug, Clone, PartialEq)]
struct Token {
    tok: Tok,
    line: u32,
    column: u32,
    start: usize,
    end: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// A string: literal parts and `${…}` holes (their tokens).
    Str(Vec<Part>),
    Num(i64),
    Punct(&'static str),
    Newline,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Lit(String),
    Hole(Vec<Token>),
}

/// Operators and punctuation, longest first.
const PUNCTUATION: [&str; 33] = [
    "...", "::", "??", ".?", "==", "!=", "=~", "!~", "<=", ">=", "&&", "||", "=>", "{", "}", "[",
    "]", "(", ")", ",", ":", ".", "?", "=", "<", ">", "!", "+", "-", "*", "/", "%", "|",
];

struct Lexer<'a> {
    text: &'a str,
    at: usize,
    line: u32,
    column: u32,
    /// `${…}` holes open around the current token (strings inside holes nest).
    holes: usize,
}

impl Lexer<'_> {
    fn error(&self, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: self.line as usize,
            column: self.column as usize,
            message: message.into(),
        }
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn bump(&mut self, bytes: usize) {
        for c in self.text[self.at..self.at + bytes].chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.at += bytes;
    }

    /// Skips spaces and comments (not newlines).
    fn skip(&mut self) -> Result<(), SyntaxError> {
        loop {
            let rest = self.rest();
            if rest.starts_with([' ', '\t', '\r']) {
                self.bump(1);
            } else if rest.starts_with("//") {
                let end = rest.find('\n').unwrap_or(rest.len());
                self.bump(end);
            } else if rest.starts_with("#disable-next-line")
                || rest.starts_with("#disable-diagnostics")
            {
                // Linter pragmas: they change no value.
                let end = rest.find('\n').unwrap_or(rest.len());
                self.bump(end);
            } else if rest.starts_with("/*") {
                let end = rest
                    .find("*/")
                    .ok_or_else(|| self.error("unterminated /* comment"))?;
                self.bump(end + 2);
            } else {
                return Ok(());
            }
        }
    }

    fn token(&mut self) -> Result<Token, SyntaxError> {
        self.skip()?;
        let (line, column, start) = (self.line, self.column, self.at);
        let rest = self.rest();
        let tok = match rest.chars().next() {
            None => Tok::Eof,
            Some('\n') => {
                self.bump(1);
                Tok::Newline
            }
            Some('\'') if rest.starts_with("'''") => self.multiline()?,
            Some('\'') => self.string()?,
            Some(c) if c.is_ascii_digit() => {
                let len = rest
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(rest.len());
                let n = rest[..len]
                    .parse()
                    .map_err(|_| self.error("number out of range"))?;
                self.bump(len);
                Tok::Num(n)
            }
            Some(c) if c.is_alphabetic() || c == '_' => {
                let len = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let name = rest[..len].to_string();
                self.bump(len);
                Tok::Ident(name)
            }
            Some('@') => {
                self.bump(1);
                Tok::Punct("@")
            }
            Some(c) => {
                let p = PUNCTUATION
                    .iter()
                    .find(|p| rest.starts_with(**p))
                    .ok_or_else(|| self.error(format!("unexpected character `{c}`")))?;
                self.bump(p.len());
                Tok::Punct(p)
            }
        };
        Ok(Token {
            tok,
            line,
            column,
            start,
            end: self.at,
        })
    }

    /// `'…'` with escapes and `${…}` holes.
    fn string(&mut self) -> Result<Tok, SyntaxError> {
        self.bump(1);
        let mut parts = Vec::new();
        let mut lit = String::new();
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return Err(self.error("unterminated string"));
            };
            match c {
                '\'' => {
                    self.bump(1);
                    break;
                }
                '\n' => {
                    return Err(
                        self.error("unterminated string (use ''' for text over several lines)")
                    )
                }
                '\\' => {
                    let escaped = rest[1..]
                        .chars()
                        .next()
                        .ok_or_else(|| self.error("unterminated string"))?;
                    lit.push(match escaped {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        '\\' | '\'' | '$' => escaped,
                        'u' => {
                            let close = rest
                                .find('}')
                                .ok_or_else(|| self.error("bad \\u{…} escape"))?;
                            let code =
                                u32::from_str_radix(rest.get(3..close).unwrap_or_default(), 16)
                                    .ok()
                                    .and_then(char::from_u32)
                                    .ok_or_else(|| self.error("bad \\u{…} escape"))?;
                            self.bump(close + 1);
                            lit.push(code);
                            continue;
                        }
                        other => return Err(self.error(format!("unknown escape `\\{other}`"))),
                    });
                    self.bump(1 + escaped.len_utf8());
                }
                '$' if rest.starts_with("${") => {
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    if self.holes >= MAX_NESTING {
                        return Err(self.error(too_deep()));
                    }
                    self.bump(2);
                    self.holes += 1;
                    let hole = self.hole();
                    self.holes -= 1;
                    parts.push(Part::Hole(hole?));
                }
                c => {
                    lit.push(c);
                    self.bump(c.len_utf8());
                }
            }
        }
        if !lit.is_empty() || parts.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Ok(Tok::Str(parts))
    }

    /// The tokens of a `${…}` hole, up to its closing brace.
    fn hole(&mut self) -> Result<Vec<Token>, SyntaxError> {
        let mut tokens = Vec::new();
        let mut depth = 0;
        loop {
            let t = self.token()?;
            match t.tok {
                Tok::Eof => return Err(self.error("unterminated ${…}")),
                Tok::Punct("{") => depth += 1,
                Tok::Punct("}") if depth == 0 => break,
                Tok::Punct("}") => depth -= 1,
                _ => {}
            }
            tokens.push(t);
        }
        let (line, column, at) = (self.line, self.column, self.at);
        tokens.push(Token {
            tok: Tok::Eof,
            line,
            column,
            start: at,
            end: at,
        });
        Ok(tokens)
    }

    /// `'''…'''`: verbatim, no escapes or holes; a newline right after the opening is dropped.
    fn multiline(&mut self) -> Result<Tok, SyntaxError> {
        self.bump(3);
        if self.rest().starts_with("\r\n") {
            self.bump(2);
        } else if self.rest().starts_with('\n') {
            self.bump(1);
        }
        let end = self
            .rest()
            .find("'''")
            .ok_or_else(|| self.error("unterminated ''' string"))?;
        let text = self.rest()[..end].to_string();
        self.bump(end + 3);
        Ok(Tok::Str(vec![Part::Lit(text)]))
    }
}

fn lex(text: &str) -> Result<Vec<Token>, SyntaxError> {
    let mut lexer = Lexer {
        text,
        at: 0,
        line: 1,
        column: 1,
        holes: 0,
    };
    let mut tokens = Vec::new();
    loop {
        let t = lexer.token()?;
        let end = t.tok == Tok::Eof;
        tokens.push(t);
        if end {
            return Ok(tokens);
        }
    }
}

/// A declaration of a Bicep file.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Statement {
    /// `param name type [= default]`.
    Param {
        name: String,
        line: u32,
        default: Option<Expr>,
        secure: bool,
        /// The type ends in `?` (`param x string?`): not given, it is `null`.
        nullable: bool,
    },
    /// `var name = value`.
    Var { name: String, value: Expr },
    /// `resource sym 'Type@version' [existing] = …`.
    Resource(ResourceDecl),
    /// `module sym 'path' = …`.
    Module(ModuleDecl),
    /// `output name type = value`.
    Output { name: String, value: Expr },
    /// `using 'path'` or `extends 'path'` of a `.bicepparam` file (`using none` is not one).
    Using {
        /// `extends` (a base parameters file) rather than `using` (the file given values).
        extends: bool,
        path: String,
        line: u32,
    },
}

/// A `module` declaration.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ModuleDecl {
    /// Its symbolic name.
    pub symbol: String,
    /// 1-based line of the `module` keyword.
    pub line: u32,
    /// The module's path as written (a relative file, or `br:`, `br/alias:`, `ts:`).
    pub path: String,
    /// `if (condition)` (inside a loop: the filter of each item).
    pub condition: Option<Expr>,
    /// `[for …]`.
    pub repeat: Option<Loop>,
    /// The body's members (`name`, `params`, `scope`); `None` when the body is not an
    /// object literal the reader can list (a spread).
    pub members: Option<Vec<Member>>,
}

/// A `resource` declaration.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ResourceDecl {
    /// Its symbolic name.
    pub symbol: String,
    /// 1-based line of the `resource` keyword.
    pub line: u32,
    /// `Type@version` as written (a nested resource may give only its type segment).
    pub type_name: String,
    /// `existing`: a reference, not created here.
    pub existing: bool,
    /// `if (condition)` (inside a loop: the filter of each item).
    pub condition: Option<Expr>,
    /// `[for …]`.
    pub repeat: Option<Loop>,
    /// The body's `key: value` members.
    pub members: Vec<Member>,
    /// Resources declared inside the body.
    pub nested: Vec<ResourceDecl>,
}

/// Bicep's functions that read a file (or list a folder) when the file is built.
pub(super) const LOAD_FUNCTIONS: [&str; 5] = [
    "loadTextContent",
    "loadJsonContent",
    "loadYamlContent",
    "loadFileAsBase64",
    "loadDirectoryFileInfo",
];

/// A file a Bicep file names by a literal path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reference {
    /// `module`, `import`, `extension`, `using` (also `extends`), or the `load*` function (as in [`LOAD_FUNCTIONS`]).
    pub what: &'static str,
    /// The path as written.
    pub path: String,
    /// 1-based line and column of the path.
    pub line: u32,
    pub column: u32,
}

/// Every literal path a Bicep file names, wherever it stands (also where the reader
/// evaluates nothing: outputs, functions, loops, module parameters): the arguments of
/// `load*` functions, `module` paths, `import … from` paths and `extension` paths.
pub(super) fn references(text: &str) -> Result<Vec<Reference>, SyntaxError> {
    fn scan(tokens: &[Token], found: &mut Vec<Reference>) {
        for (i, token) in tokens.iter().enumerate() {
            if let Tok::Str(parts) = &token.tok {
                for part in parts {
                    if let Part::Hole(inner) = part {
                        scan(inner, found);
                    }
                }
            }
            let Tok::Ident(word) = &token.tok else {
                continue;
            };
            let next = |k: usize| tokens.get(i + k).map(|t| &t.tok);
            let what = match LOAD_FUNCTIONS.iter().find(|f| f.eq_ignore_ascii_case(word)) {
                Some(function) if next(1) == Some(&Tok::Punct("(")) => Some((*function, 2)),
                _ if word == "module" && matches!(next(1), Some(Tok::Ident(_))) => {
                    Some(("module", 2))
                }
                _ if word == "from" => Some(("import", 1)),
                _ if word == "using" || word == "extends" => Some(("using", 1)),
                _ if word == "extension" || word == "provider" => Some(("extension", 1)),
                _ => None,
            };
            let Some((what, at)) = what else {
                continue;
            };
            if let Some(Token {
                tok: Tok::Str(parts),
                line,
                column,
                ..
            }) = tokens.get(i + at)
            {
                if let [Part::Lit(path)] = parts.as_slice() {
                    found.push(Reference {
                        what,
                        path: path.clone(),
                        line: *line,
                        column: *column,
                    });
                }
            }
        }
    }
    let mut found = Vec::new();
    scan(&lex(text)?, &mut found);
    Ok(found)
}

/// Parses a Bicep file into its declarations.
pub(super) fn parse(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    let tokens = lex(text)?;
    let mut parser = Parser {
        text,
        tokens: &tokens,
        at: 0,
        parens: 0,
        depth: 0,
    };
    parser.file()
}

/// The message of nesting past [`MAX_NESTING`].
fn too_deep() -> String {
    format!("nested more than {MAX_NESTING} levels deep (brackets, calls, operators, `${{…}}` and child resources count)")
}

struct Parser<'a> {
    text: &'a str,
    tokens: &'a [Token],
    at: usize,
    /// Open parentheses: newlines inside them are spaces.
    parens: usize,
    /// Nesting of the construct being read (bounded: each level is a parser call).
    depth: usize,
}

impl Parser<'_> {
    /// Runs `read` one nesting level deeper, refused past [`MAX_NESTING`] at the
    /// token that would go deeper.
    fn nested<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        if self.depth >= MAX_NESTING {
            let t = self.peek();
            return Err(SyntaxError {
                line: t.line as usize,
                column: t.column as usize,
                message: too_deep(),
            });
        }
        self.depth += 1;
        let read = read(self);
        self.depth -= 1;
        read
    }

    fn peek(&mut self) -> &Token {
        if self.parens > 0 {
            while self.tokens[self.at].tok == Tok::Newline {
                self.at += 1;
            }
        }
        &self.tokens[self.at]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if t.tok != Tok::Eof {
            self.at += 1;
        }
        t
    }

    fn is(&mut self, punct: &str) -> bool {
        matches!(&self.peek().tok, Tok::Punct(p) if *p == punct)
    }

    fn eat(&mut self, punct: &str) -> bool {
        if self.is(punct) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, punct: &str) -> Result<Token, SyntaxError> {
        if self.is(punct) {
            Ok(self.next())
        } else {
            Err(self.error_here(format!("`{punct}` expected")))
        }
    }

    /// Eats `punct`, on this line or at the start of a following one: a ternary's `?` and
    /// `:` may begin continuation lines (`cond\n  ? a\n  : b`). No declaration or property
    /// begins with them, so nothing else is read across the line break.
    fn eat_after_newlines(&mut self, punct: &str) -> bool {
        let mut at = self.at;
        while self.tokens[at].tok == Tok::Newline {
            at += 1;
        }
        if matches!(&self.tokens[at].tok, Tok::Punct(p) if *p == punct) {
            self.at = at + 1;
            true
        } else {
            false
        }
    }

    fn newlines(&mut self) {
        while self.tokens[self.at].tok == Tok::Newline {
            self.at += 1;
        }
    }

    fn error_here(&mut self, message: impl Into<String>) -> SyntaxError {
        let t = self.peek().clone();
        let found = match &t.tok {
            Tok::Eof => "the end of the file".to_string(),
            Tok::Newline => "the end of the line".to_string(),
            _ => format!("`{}`", &self.text[t.start..t.end]),
        };
        SyntaxError {
            line: t.line as usize,
            column: t.column as usize,
            message: format!("{}, found {found}", message.into()),
        }
    }

    fn identifier(&mut self) -> Result<String, SyntaxError> {
        match self.peek().tok.clone() {
            Tok::Ident(name) => {
                self.at += 1;
                Ok(name)
            }
            _ => Err(self.error_here("a name expected")),
        }
    }

    /// The end of a declaration: a newline or the end of the file.
    fn end_of_statement(&mut self) -> Result<(), SyntaxError> {
        match self.tokens[self.at].tok {
            Tok::Newline => {
                self.newlines();
                Ok(())
            }
            Tok::Eof => Ok(()),
            _ => Err(self.error_here("the end of the line expected")),
        }
    }

    fn file(&mut self) -> Result<Vec<Statement>, SyntaxError> {
        let mut statements = Vec::new();
        self.newlines();
        let mut secure = false;
        while self.peek().tok != Tok::Eof {
            if self.eat("@") {
                secure |= self.decorator()? == "secure";
                self.newlines();
                continue;
            }
            let line = self.peek().line;
            let keyword = self.identifier()?;
            match keyword.as_str() {
                "param" => {
                    let name = self.identifier()?;
                    let nullable = self.skip_type()?;
                    let default = if self.eat("=") {
                        Some(self.expression()?)
                    } else {
                        None
                    };
                    statements.push(Statement::Param {
                        name,
                        line,
                        default,
                        secure,
                        nullable,
                    });
                }
                "var" => {
                    let name = self.identifier()?;
                    self.skip_type()?;
                    self.expect("=")?;
                    let value = self.expression()?;
                    statements.push(Statement::Var { name, value });
                }
                "resource" => statements.push(self.resource(line)?),
                "module" => statements.push(self.module(line)?),
                "output" => {
                    let name = self.identifier()?;
                    self.skip_type()?;
                    self.expect("=")?;
                    let value = self.expression()?;
                    statements.push(Statement::Output { name, value });
                }
                "metadata" | "targetScope" => {
                    // Read to check the syntax; they declare nothing the snapshot holds.
                    self.skip_type()?;
                    self.expect("=")?;
                    self.expression()?;
                }
                "type" => {
                    // A type is not an expression (`string?`, `'a' | 'b'`): skipped whole.
                    self.skip_type()?;
                    self.expect("=")?;
                    self.skip_line()?;
                }
                "func" => {
                    while !self.is("=>") && self.peek().tok != Tok::Eof {
                        self.skip_balanced()?;
                    }
                    self.expect("=>")?;
                    self.expression()?;
                }
                "using" | "extends" => match &self.peek().tok {
                    Tok::Str(parts) if matches!(parts.as_slice(), [Part::Lit(_)]) => {
                        let path = self.literal("a path", "('./main.bicep')")?;
                        statements.push(Statement::Using {
                            extends: keyword == "extends",
                            path,
                            line,
                        });
                    }
                    // `using none`, or a path the reader cannot read (reported where used).
                    _ => self.skip_line()?,
                },
                "import" | "extension" | "provider" => self.skip_line()?,
                _ => {
                    self.at -= 1;
                    return Err(self.error_here(
                        "a declaration (param, var, resource, module, output, …) expected",
                    ));
                }
            }
            secure = false;
            self.end_of_statement()?;
        }
        Ok(statements)
    }

    /// A decorator after its `@`: `name(…)` or `sys.name(…)`; returns the name.
    fn decorator(&mut self) -> Result<String, SyntaxError> {
        let mut name = self.identifier()?;
        if self.eat(".") {
            name = self.identifier()?;
        }
        self.arguments()?;
        Ok(name)
    }

    /// Skips a type (up to `=` or the end of the line), balanced brackets included;
    /// whether it ends in `?` (a nullable type).
    fn skip_type(&mut self) -> Result<bool, SyntaxError> {
        let mut nullable = false;
        while !self.is("=") && !matches!(self.tokens[self.at].tok, Tok::Newline | Tok::Eof) {
            nullable = self.is("?");
            self.skip_balanced()?;
        }
        Ok(nullable)
    }

    /// Skips the rest of the line, bracketed groups over several lines included.
    fn skip_line(&mut self) -> Result<(), SyntaxError> {
        while !matches!(self.tokens[self.at].tok, Tok::Newline | Tok::Eof) {
            self.skip_balanced()?;
        }
        Ok(())
    }

    /// Skips one token, or a whole bracketed group.
    fn skip_balanced(&mut self) -> Result<(), SyntaxError> {
        let close = match self.next().tok {
            Tok::Punct("{") => "}",
            Tok::Punct("[") => "]",
            Tok::Punct("(") => ")",
            Tok::Eof => return Err(self.error_here("more expected")),
            _ => return Ok(()),
        };
        loop {
            self.newlines();
            if self.eat(close) {
                return Ok(());
            }
            self.nested(Self::skip_balanced)?;
        }
    }

    fn resource(&mut self, line: u32) -> Result<Statement, SyntaxError> {
        let symbol = self.identifier()?;
        let type_name = self.literal("a resource type", "('Namespace/type@version')")?;
        let existing = matches!(&self.peek().tok, Tok::Ident(k) if k == "existing");
        if existing {
            self.at += 1;
        }
        self.expect("=")?;
        let repeat = self.loop_head()?;
        let condition = self.condition()?;
        let (members, nested) = self.resource_body()?;
        self.loop_end(&repeat)?;
        Ok(Statement::Resource(ResourceDecl {
            symbol,
            line,
            type_name,
            existing,
            condition,
            repeat,
            members,
            nested,
        }))
    }

    /// A string without `${…}` holes: `what` (shaped like `example`).
    fn literal(&mut self, what: &str, example: &str) -> Result<String, SyntaxError> {
        match self.next().tok {
            Tok::Str(parts) => match parts.as_slice() {
                [Part::Lit(t)] => Ok(t.clone()),
                _ => Err(self.error_here(format!("{what} cannot be interpolated"))),
            },
            _ => Err(self.error_here(format!("{what} {example} expected"))),
        }
    }

    /// `module sym 'path' = [for …:] [if (…)] {…} [\]]`, after `module`.
    fn module(&mut self, line: u32) -> Result<Statement, SyntaxError> {
        let symbol = self.identifier()?;
        let path = self.literal("a module path", "('./file.bicep', 'br:…')")?;
        self.expect("=")?;
        let repeat = self.loop_head()?;
        let condition = self.condition()?;
        let body = self.expression()?;
        self.loop_end(&repeat)?;
        let members = match body.kind {
            // A spread at the top leaves `params` and `name` unlisted.
            Kind::Object(members) if members.iter().any(Member::is_spread) => None,
            Kind::Object(members) => Some(members),
            _ => return Err(self.error_here("a module body `{…}` expected")),
        };
        Ok(Statement::Module(ModuleDecl {
            symbol,
            line,
            path,
            condition,
            repeat,
            members,
        }))
    }

    /// `[for item in source:` or `[for (item, index) in source:` before a declaration's
    /// body, if there is one.
    fn loop_head(&mut self) -> Result<Option<Loop>, SyntaxError> {
        if !self.eat("[") {
            return Ok(None);
        }
        self.newlines();
        if !matches!(&self.peek().tok, Tok::Ident(k) if k == "for") {
            return Err(self.error_here("`for` expected"));
        }
        self.at += 1;
        self.loop_after_for().map(Some)
    }

    /// `item in source:` or `(item, index) in source:`, after `for`.
    fn loop_after_for(&mut self) -> Result<Loop, SyntaxError> {
        let (item, index) = if self.eat("(") {
            let item = self.identifier()?;
            self.expect(",")?;
            let index = self.identifier()?;
            self.expect(")")?;
            (item, Some(index))
        } else {
            (self.identifier()?, None)
        };
        if !matches!(&self.peek().tok, Tok::Ident(k) if k == "in") {
            return Err(self.error_here("`in` expected"));
        }
        self.at += 1;
        self.parens += 1;
        let source = self.expression()?;
        self.parens -= 1;
        self.expect(":")?;
        self.newlines();
        Ok(Loop {
            item,
            index,
            source,
        })
    }

    /// The `]` that closes a loop's body.
    fn loop_end(&mut self, repeat: &Option<Loop>) -> Result<(), SyntaxError> {
        if repeat.is_some() {
            self.newlines();
            self.expect("]")?;
        }
        Ok(())
    }

    /// `if (condition)` before a declaration's body, if there is one.
    fn condition(&mut self) -> Result<Option<Expr>, SyntaxError> {
        if !matches!(&self.peek().tok, Tok::Ident(k) if k == "if") {
            return Ok(None);
        }
        self.at += 1;
        self.expect("(")?;
        self.parens += 1;
        let c = self.expression()?;
        self.parens -= 1;
        self.expect(")")?;
        Ok(Some(c))
    }

    /// `{ key: value … resource child '…' = {…} }`.
    fn resource_body(&mut self) -> Result<(Vec<Member>, Vec<ResourceDecl>), SyntaxError> {
        self.expect("{")?;
        let mut members = Vec::new();
        let mut nested = Vec::new();
        loop {
            self.newlines();
            if self.eat("}") {
                return Ok((members, nested));
            }
            if self.eat("@") {
                self.decorator()?;
                continue;
            }
            let line = self.peek().line;
            if matches!(&self.peek().tok, Tok::Ident(k) if k == "resource")
                && matches!(self.tokens[self.at + 1].tok, Tok::Ident(_))
            {
                self.at += 1;
                if let Statement::Resource(child) = self.nested(|p| p.resource(line))? {
                    nested.push(child);
                }
                continue;
            }
            members.push(self.member()?);
            self.eat(",");
        }
    }

    fn member(&mut self) -> Result<Member, SyntaxError> {
        let first = self.peek().clone();
        let key = match first.tok {
            Tok::Ident(name) => {
                self.at += 1;
                Expr::new(Kind::Lit(Value::String(name.clone())), name)
            }
            Tok::Str(_) => self.primary()?,
            _ => return Err(self.error_here("a property name expected")),
        };
        self.expect(":")?;
        let value = self.expression()?;
        Ok(Member {
            key,
            value,
            line: first.line,
        })
    }

    /// The text of tokens `from..self.at`.
    fn text_from(&self, from: usize) -> String {
        let start = self.tokens[from].start;
        let end = self.tokens[self.at.saturating_sub(1).max(from)].end;
        self.text.get(start..end).unwrap_or_default().to_string()
    }

    fn expression(&mut self) -> Result<Expr, SyntaxError> {
        self.nested(Self::expression_here)
    }

    fn expression_here(&mut self) -> Result<Expr, SyntaxError> {
        let from = self.at;
        // A lambda with one parameter: `x => …`.
        self.peek();
        if let (Tok::Ident(name), Tok::Punct("=>")) =
            (&self.tokens[self.at].tok, &self.tokens[self.at + 1].tok)
        {
            let names = vec![name.clone()];
            self.at += 2;
            let body = self.expression()?;
            return Ok(Expr::new(
                Kind::Lambda(names, Box::new(body)),
                self.text_from(from),
            ));
        }
        let cond = self.binary(0)?;
        if !self.eat_after_newlines("?") {
            return Ok(cond);
        }
        let then = self.expression()?;
        if !self.eat_after_newlines(":") {
            return Err(self.error_here("`:` expected"));
        }
        let otherwise = self.expression()?;
        Ok(Expr::new(
            Kind::Ternary(Box::new(cond), Box::new(then), Box::new(otherwise)),
            self.text_from(from),
        ))
    }

    fn binary(&mut self, level: usize) -> Result<Expr, SyntaxError> {
        const LEVELS: [&[&str]; 7] = [
            &["??"],
            &["||"],
            &["&&"],
            &["==", "!=", "=~", "!~"],
            &["<", "<=", ">", ">="],
            &["+", "-"],
            &["*", "/", "%"],
        ];
        if level == LEVELS.len() {
            return self.unary();
        }
        let from = self.at;
        let mut left = self.binary(level + 1)?;
        loop {
            let op = match &self.peek().tok {
                Tok::Punct(p) if LEVELS[level].contains(p) => *p,
                _ => return Ok(left),
            };
            self.at += 1;
            let right = self.binary(level + 1)?;
            left = Expr::new(
                Kind::Binary(op, Box::new(left), Box::new(right)),
                self.text_from(from),
            );
        }
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        let from = self.at;
        for op in ['!', '-'] {
            if self.eat(&op.to_string()) {
                let operand = self.nested(Self::unary)?;
                return Ok(Expr::new(
                    Kind::Unary(op, Box::new(operand)),
                    self.text_from(from),
                ));
            }
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, SyntaxError> {
        let from = self.at;
        let mut expr = self.primary()?;
        loop {
            if self.is(".") || self.is(".?") {
                let safe = self.next().tok == Tok::Punct(".?");
                let name = self.identifier()?;
                if self.is("(") {
                    // `sys.concat(…)`, `az.resourceGroup()`: a namespaced function.
                    let args = self.arguments()?;
                    expr = Expr::new(Kind::Call(name.to_lowercase(), args), self.text_from(from));
                } else {
                    expr = Expr::new(Kind::Prop(Box::new(expr), name, safe), self.text_from(from));
                }
            } else if self.tokens[self.at].tok == Tok::Punct("!") {
                // `x!`: a non-null assertion, the value unchanged.
                self.at += 1;
            } else if self.eat("::") {
                let name = self.identifier()?;
                let symbol = match &expr.kind {
                    Kind::Symbol(parent) => format!("{parent}::{name}"),
                    _ => return Err(self.error_here("`::` follows a resource name")),
                };
                expr = Expr::new(Kind::Symbol(symbol), self.text_from(from));
            } else if self.tokens[self.at].tok == Tok::Punct("[") {
                self.at += 1;
                let safe = self.eat("?");
                self.parens += 1;
                let index = self.expression()?;
                self.parens -= 1;
                self.expect("]")?;
                expr = Expr::new(
                    Kind::Index(Box::new(expr), Box::new(index), safe),
                    self.text_from(from),
                );
            } else {
                return Ok(expr);
            }
        }
    }

    fn arguments(&mut self) -> Result<Vec<Expr>, SyntaxError> {
        self.expect("(")?;
        self.parens += 1;
        let mut args = Vec::new();
        while !self.is(")") {
            args.push(self.expression()?);
            if !self.eat(",") {
                break;
            }
        }
        self.parens -= 1;
        self.expect(")")?;
        Ok(args)
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let from = self.at;
        let t = self.next();
        let kind = match t.tok {
            Tok::Num(n) => Kind::Lit(Value::from(n)),
            Tok::Str(parts) => self.string(parts)?,
            Tok::Ident(name) => match name.as_str() {
                "true" | "false" => Kind::Lit(Value::Bool(name == "true")),
                "null" => Kind::Lit(Value::Null),
                _ if self.tokens[self.at].tok == Tok::Punct("(") => {
                    let args = self.arguments()?;
                    Kind::Call(name.to_lowercase(), args)
                }
                _ => Kind::Symbol(name),
            },
            Tok::Punct("(") => {
                // A parenthesized expression, or a lambda's parameters: `(a, b) => …`.
                self.parens += 1;
                let mut inner = vec![self.expression()?];
                while self.eat(",") {
                    inner.push(self.expression()?);
                }
                self.parens -= 1;
                self.expect(")")?;
                if !self.eat("=>") {
                    if inner.len() > 1 {
                        return Err(self.error_here("`=>` expected after a lambda's parameters"));
                    }
                    return Ok(Expr::new(inner.remove(0).kind, self.text_from(from)));
                }
                let names = inner
                    .into_iter()
                    .map(|p| match p.kind {
                        Kind::Symbol(name) => Ok(name),
                        _ => Err(self.error_here("a lambda's parameters are names")),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let body = self.expression()?;
                Kind::Lambda(names, Box::new(body))
            }
            Tok::Punct("[") => self.array()?,
            Tok::Punct("{") => self.object()?,
            _ => {
                self.at = from;
                return Err(self.error_here("an expression expected"));
            }
        };
        Ok(Expr::new(kind, self.text_from(from)))
    }

    fn string(&mut self, parts: Vec<Part>) -> Result<Kind, SyntaxError> {
        if let [Part::Lit(s)] = parts.as_slice() {
            return Ok(Kind::Lit(Value::String(s.clone())));
        }
        let mut exprs = Vec::new();
        for part in parts {
            match part {
                Part::Lit(s) => exprs.push(Expr::new(Kind::Lit(Value::String(s.clone())), s)),
                Part::Hole(tokens) => {
                    let mut inner = Parser {
                        text: self.text,
                        tokens: &tokens,
                        at: 0,
                        parens: 1,
                        depth: self.depth,
                    };
                    let e = inner.expression()?;
                    if inner.peek().tok != Tok::Eof {
                        return Err(inner.error_here("`}` expected"));
                    }
                    exprs.push(e);
                }
            }
        }
        Ok(Kind::Interp(exprs))
    }

    fn array(&mut self) -> Result<Kind, SyntaxError> {
        let saved = self.parens;
        self.parens = 0;
        self.newlines();
        if matches!(&self.peek().tok, Tok::Ident(k) if k == "for") {
            // `[for x in xs: [if (…)] …]`.
            self.at += 1;
            let repeat = self.loop_after_for()?;
            let filter = self.condition()?.map(Box::new);
            let body = self.expression()?;
            self.newlines();
            self.expect("]")?;
            self.parens = saved;
            return Ok(Kind::For(Box::new(repeat), filter, Box::new(body)));
        }
        let mut items = Vec::new();
        loop {
            self.newlines();
            if self.eat("]") {
                break;
            }
            // `...xs`: the items of `xs`, in their place.
            let from = self.at;
            let spread = self.eat("...");
            let item = self.expression()?;
            items.push(if spread {
                Expr::new(Kind::Spread(Box::new(item)), self.text_from(from))
            } else {
                item
            });
            self.eat(",");
        }
        self.parens = saved;
        Ok(Kind::Array(items))
    }

    fn object(&mut self) -> Result<Kind, SyntaxError> {
        let saved = self.parens;
        self.parens = 0;
        let mut members = Vec::new();
        loop {
            self.newlines();
            if self.eat("}") {
                break;
            }
            let from = self.at;
            let line = self.peek().line;
            if self.eat("...") {
                // `...obj`: the members of `obj`, in their place (later ones win).
                let value = self.expression()?;
                members.push(Member {
                    key: Expr::new(Kind::Lit(Value::Null), "...".to_string()),
                    value: Expr::new(Kind::Spread(Box::new(value)), self.text_from(from)),
                    line,
                });
            } else {
                members.push(self.member()?);
            }
            self.eat(",");
        }
        self.parens = saved;
        Ok(Kind::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations() {
        let text = "@description('x')\n@secure()\nparam key string\nparam sku string = 'Developer' // c\nvar name = 'api${uniqueString(resourceGroup().id)}'\n\nresource svc 'Microsoft.ApiManagement/service@2022-08-01' = {\n  name: name\n  properties: {\n    'a.b': [\n      'x'\n      'y'\n    ]\n  }\n  resource api 'apis' = if (sku == 'Developer') {\n    name: 'echo'\n  }\n}\nmodule m './m.bicep' = {\n  name: 'm'\n}\n";
        let statements = parse(text).unwrap();
        assert!(
            matches!(&statements[0], Statement::Param { name, secure: true, default: None, .. } if name == "key")
        );
        assert!(matches!(
            &statements[1],
            Statement::Param {
                secure: false,
                default: Some(_),
                ..
            }
        ));
        let Statement::Var { value, .. } = &statements[2] else {
            panic!()
        };
        assert!(matches!(&value.kind, Kind::Interp(parts) if parts.len() == 2));
        let Statement::Resource(svc) = &statements[3] else {
            panic!()
        };
        assert_eq!(
            (svc.line, svc.members.len(), svc.members[1].line),
            (7, 2, 9)
        );
        let Kind::Object(props) = &svc.members[1].value.kind else {
            panic!()
        };
        assert_eq!(props[0].line, 10);
        assert!(matches!(&props[0].value.kind, Kind::Array(items) if items.len() == 2));
        assert_eq!(svc.nested[0].type_name, "apis");
        assert!(svc.nested[0].condition.is_some());
        let Statement::Module(m) = &statements[4] else {
            panic!()
        };
        assert_eq!((m.line, m.path.as_str()), (19, "./m.bicep"));
        assert!(m.repeat.is_none() && m.members.as_ref().is_some_and(|m| m.len() == 1));
    }

    #[test]
    fn expressions_keep_their_text() {
        let statements =
            parse("var z = ((length(a) == 0) ? json('null') : a)\nvar m = '''\nraw ${x}\n'''\n")
                .unwrap();
        let Statement::Var { value, .. } = &statements[0] else {
            panic!()
        };
        assert_eq!(value.text, "((length(a) == 0) ? json('null') : a)");
        assert!(matches!(value.kind, Kind::Ternary(..)));
        let Statement::Var { value, .. } = &statements[1] else {
            panic!()
        };
        assert_eq!(value.kind, Kind::Lit(Value::String("raw ${x}\n".into())));
    }

    #[test]
    fn public_module_syntax_is_read() {
        let text = "#disable-next-line no-unused-params\nparam a bool = true\n\
            var xs = [\n  for i in range(0, 2): {\n    n: i\n  }\n]\n\
            var t = a\n  ? 'yes'\n  : 'no'\n\
            module m './m.bicep' = if (a) {\n  name: 'm'\n}\n";
        let statements = parse(text).unwrap();
        assert_eq!(statements.len(), 4, "{statements:?}");
        let text = "module ms 'm.bicep' = [for (x, i) in xs: if (i > 0) {\n  name: x\n}]\n\
            resource r 'T@1' = [\n  for x in range(0, 2): {\n    name: 'r${x}'\n  }\n]\n\
            param p string?\noutput o string = r[0].name\n";
        let statements = parse(text).unwrap();
        let Statement::Module(ms) = &statements[0] else {
            panic!()
        };
        let repeat = ms.repeat.as_ref().unwrap();
        assert_eq!(
            (repeat.item.as_str(), repeat.index.as_deref()),
            ("x", Some("i"))
        );
        assert!(ms.condition.is_some());
        let Statement::Resource(r) = &statements[1] else {
            panic!()
        };
        assert_eq!(r.repeat.as_ref().unwrap().source.text, "range(0, 2)");
        assert!(matches!(
            &statements[2],
            Statement::Param { nullable: true, .. }
        ));
        assert!(matches!(&statements[3], Statement::Output { name, .. } if name == "o"));
        let text = "param o object?\nvar a = o!.b\nvar c = {\n  ...o!\n  d: [\n    ...a\n  ]\n}\n";
        assert_eq!(parse(text).unwrap().len(), 3);
        let err = parse("var xs = [\n  for i in range(0, 2): i\n").unwrap_err();
        assert_eq!(err.line, 3, "{}", err.message);
    }

    #[test]
    fn errors_are_located() {
        let err =
            parse("param a string\nresource x 'T@1' = {\n  name: 'a'\n  oops\n}\n").unwrap_err();
        assert_eq!((err.line, err.column), (4, 7));
        assert!(err.message.starts_with("`:` expected"), "{}", err.message);
        let err = parse("var s = 'open\n").unwrap_err();
        assert_eq!(err.line, 1);
    }

    /// Bicep texts nested `n` levels deep, one per construct that nests.
    fn nested_texts(n: usize) -> Vec<(&'static str, String)> {
        let r = |s: &str| s.repeat(n);
        vec![
            ("arrays", format!("var x = {}{}\n", r("["), r("]"))),
            ("parentheses", format!("var x = {}1{}\n", r("("), r(")"))),
            ("objects", format!("var x = {}1\n{}", r("{\na: "), r("}\n"))),
            ("calls", format!("var x = {}'a'{}\n", r("concat("), r(")"))),
            ("negations", format!("var x = {}true\n", r("!"))),
            ("minus signs", format!("var x = {}1\n", r("-"))),
            ("ternaries", format!("var x = {}2\n", r("true ? 1 : "))),
            ("indexes", format!("var x = y{}{}\n", r("[y"), r("]"))),
            (
                "string holes",
                format!("var x = {}1{}\n", r("'${"), r("}'")),
            ),
            (
                "loop bodies",
                format!("var x = [for i in y: {}{}]\n", r("["), r("]")),
            ),
            (
                "child resources",
                format!(
                    "resource r 'T@1' = {{\n{}{}}}\n",
                    r("resource c 'c' = {\n"),
                    r("}\n")
                ),
            ),
        ]
    }

    #[test]
    fn nesting_is_read_to_the_limit_and_refused_past_it_at_its_line() {
        for (what, text) in nested_texts(MAX_NESTING - 1) {
            assert!(
                parse(&text).is_ok(),
                "{what} at the limit: {:?}",
                parse(&text).err()
            );
        }
        for (what, text) in nested_texts(MAX_NESTING + 1) {
            let err = parse(&text).unwrap_err();
            assert!(
                err.message.starts_with("nested more than 32 levels deep"),
                "{what}: {}",
                err.message
            );
            let line = text
                .lines()
                .position(|l| l.contains("c' = {") || l.starts_with("a:"))
                .map_or(1, |i| i + 1);
            assert!(
                err.line <= line + MAX_NESTING + 1,
                "{what}: line {}",
                err.line
            );
        }
    }

    /// A 100,000-deep file is refused on a test thread's ordinary stack (2 MiB), where
    /// reading it unchecked overflows.
    #[test]
    fn nesting_a_hundred_thousand_deep_is_an_error_not_a_crash() {
        for (what, text) in nested_texts(100_000) {
            let err = parse(&text).unwrap_err();
            assert!(
                err.message.contains("levels deep"),
                "{what}: {}",
                err.message
            );
        }
    }
}
