//! Query expressions of `GET|PUT …/value?query=…`: a small, safe parser and evaluator for
//! the syntax HSDS 1.0.2 accepts (h5json `query_util.arrayQuery`): comparisons
//! `== = != < <= > >=` of a field with a number, a string, a byte string (`b'x'`), a boolean
//! or a bare word; `field.isin(v, …)`, `field IN (…)`, `field NOT IN (…)`,
//! `field.is_null()`, `field.is_valid()`; combined with `&`/`AND`, `|`/`OR`, `~`/`NOT` and
//! parentheses. Fields are compound member names (bare, quoted, or `field('name')`); a
//! non-compound dataset is queried as `_`. Nothing is ever evaluated as code: the text is
//! tokenized, parsed into an [`Expr`] tree checked against the dataset type, and evaluated on
//! packed element bytes.

use crate::model::values::f16_to_f64;
use crate::model::{ByteOrder, Datatype, StringLength};

/// Why a query is malformed; `Display` is HSDS's detail text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

fn err<T>(text: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError(text.into()))
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Field,
    Ident(String),
    Number(Literal),
    Bytes(Vec<u8>),
    Str(String),
    Bool(bool),
    Op(CmpOp),
    LParen,
    RParen,
    Comma,
    Dot,
    And,
    Or,
    Not,
    In,
    Eof,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A literal value of a query.
#[derive(Debug, Clone, PartialEq)]
enum Literal {
    Int(i128),
    Float(f64),
    Bytes(Vec<u8>),
    Str(String),
    Bool(bool),
}

fn tokenize(text: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    let n = chars.len();
    while i < n {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let quoted = |start: usize| -> Result<(String, usize), QueryError> {
            let quote = chars[start];
            let mut j = start + 1;
            while j < n && chars[j] != quote {
                j += 1;
            }
            if j >= n {
                return err(format!("Unterminated string literal at position {i}"));
            }
            Ok((chars[start + 1..j].iter().collect(), j + 1))
        };
        if c == 'b' && i + 1 < n && (chars[i + 1] == '\'' || chars[i + 1] == '"') {
            let (body, next) = quoted(i + 1)?;
            let bytes = body
                .chars()
                .map(|ch| u8::try_from(u32::from(ch)).map_err(|_| ()))
                .collect::<Result<Vec<u8>, ()>>()
                .or_else(|()| err(format!("Invalid byte in bytes literal at position {i}")))?;
            tokens.push(Token::Bytes(bytes));
            i = next;
            continue;
        }
        if c == '\'' || c == '"' {
            let (body, next) = quoted(i)?;
            tokens.push(Token::Str(body));
            i = next;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < n && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let word: String = chars[i..j].iter().collect();
            tokens.push(match word.to_uppercase().as_str() {
                "TRUE" => Token::Bool(true),
                "FALSE" => Token::Bool(false),
                "FIELD" => Token::Field,
                "AND" => Token::And,
                "OR" => Token::Or,
                "NOT" => Token::Not,
                "IN" => Token::In,
                _ => Token::Ident(word),
            });
            i = j;
            continue;
        }
        if c.is_ascii_digit() || (c == '-' && i + 1 < n && chars[i + 1].is_ascii_digit()) {
            let mut j = if c == '-' { i + 1 } else { i };
            while j < n && chars[j].is_ascii_digit() {
                j += 1;
            }
            let is_float = j < n && chars[j] == '.';
            if is_float {
                j += 1;
                while j < n && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let number: String = chars[i..j].iter().collect();
            let literal = if is_float {
                number.parse::<f64>().map(Literal::Float).map_err(|_| ())
            } else {
                number.parse::<i128>().map(Literal::Int).map_err(|_| ())
            };
            tokens.push(Token::Number(
                literal.or_else(|()| err(format!("Invalid number {number:?}")))?,
            ));
            i = j;
            continue;
        }
        let two: String = chars[i..(i + 2).min(n)].iter().collect();
        let op2 = match two.as_str() {
            "==" => Some(CmpOp::Eq),
            "!=" => Some(CmpOp::Ne),
            "<=" => Some(CmpOp::Le),
            ">=" => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op2 {
            tokens.push(Token::Op(op));
            i += 2;
            continue;
        }
        tokens.push(match c {
            '=' => Token::Op(CmpOp::Eq),
            '<' => Token::Op(CmpOp::Lt),
            '>' => Token::Op(CmpOp::Gt),
            '&' => Token::And,
            '|' => Token::Or,
            '~' => Token::Not,
            '.' => Token::Dot,
            '(' => Token::LParen,
            ')' => Token::RParen,
            ',' => Token::Comma,
            other => return err(format!("Invalid character {other:?} at position {i} in query")),
        });
        i += 1;
    }
    tokens.push(Token::Eof);
    Ok(tokens)
}

/// How a queried field is stored inside one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    Int { size: usize, signed: bool, order: ByteOrder },
    Float { size: usize, order: ByteOrder },
    Bytes { len: usize },
}

/// A queried field: its byte offset in the element and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FieldRef {
    offset: usize,
    kind: FieldKind,
}

/// A parsed query, checked against a dataset type.
#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Cmp(FieldRef, CmpOp, Literal),
    In(FieldRef, Vec<Literal>, bool),
    Null(FieldRef, bool),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

/// A query ready to test packed elements of one dataset type.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    expr: Expr,
}

fn field_kind(datatype: &Datatype, name: &str) -> Result<FieldKind, QueryError> {
    Ok(match datatype {
        Datatype::Integer(int) => {
            FieldKind::Int { size: usize::from(int.size), signed: int.signed, order: int.order }
        }
        Datatype::Enum { base, .. } => {
            FieldKind::Int { size: usize::from(base.size), signed: base.signed, order: base.order }
        }
        Datatype::Float(float) => {
            FieldKind::Float { size: usize::from(float.size), order: float.order }
        }
        Datatype::String(s) => match s.length {
            StringLength::Fixed(len) => {
                FieldKind::Bytes { len: usize::try_from(len).or_else(|_| err("string too long"))? }
            }
            StringLength::Variable => {
                return err(format!("Field {name:?} has a variable-length type; not queryable"))
            }
        },
        Datatype::CommittedCopy { datatype, .. } => field_kind(datatype, name)?,
        _ => return err(format!("Field {name:?} has a type that can not be queried")),
    })
}

/// The fields a query may name: `(name, offset, type)`; `None` for a non-compound type.
fn members(datatype: &Datatype) -> Option<Vec<(String, usize, Datatype)>> {
    match datatype {
        Datatype::Compound(fields) => {
            let mut offset = 0_usize;
            let mut out = Vec::new();
            for field in fields {
                out.push((field.name.clone(), offset, field.datatype.clone()));
                let size = field.datatype.item_size().and_then(|s| usize::try_from(s).ok());
                offset = offset.saturating_add(size.unwrap_or(0));
            }
            Some(out)
        }
        Datatype::CommittedCopy { datatype, .. } => members(datatype),
        _ => None,
    }
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    datatype: &'a Datatype,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&Token::Eof)
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        self.pos += 1;
        token
    }

    fn expect(&mut self, want: &Token, what: &str) -> Result<(), QueryError> {
        if self.peek() == want {
            self.pos += 1;
            Ok(())
        } else {
            err(format!("Expected {what} but got {:?}", self.peek()))
        }
    }

    fn parse_or(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.parse_and()?;
        while *self.peek() == Token::Or {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.parse_and()?));
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Result<Expr, QueryError> {
        let mut left = self.parse_not()?;
        while *self.peek() == Token::And {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.parse_not()?));
        }
        Ok(left)
    }

    fn parse_not(&mut self) -> Result<Expr, QueryError> {
        if *self.peek() == Token::Not {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.parse_not()?)));
        }
        if *self.peek() == Token::LParen {
            self.pos += 1;
            let expr = self.parse_or()?;
            self.expect(&Token::RParen, "closing ')'")?;
            return Ok(expr);
        }
        self.parse_predicate()
    }

    fn parse_field(&mut self) -> Result<FieldRef, QueryError> {
        let name = match self.next() {
            Token::Field => {
                self.expect(&Token::LParen, "'(' after field")?;
                let name = match self.next() {
                    Token::Str(name) | Token::Ident(name) => name,
                    other => {
                        return err(format!(
                            "Expected a field name inside field(...), got {other:?}"
                        ))
                    }
                };
                self.expect(&Token::RParen, "')' to close field(...)")?;
                name
            }
            Token::Str(name) | Token::Ident(name) => name,
            other => return err(format!("Unexpected token {other:?}, expected a field name")),
        };
        match members(self.datatype) {
            None if name == "_" => {
                Ok(FieldRef { offset: 0, kind: field_kind(self.datatype, &name)? })
            }
            None => err(format!(
                "Field {name:?} is not valid for non-compound dtype; use '_' or field('_')"
            )),
            Some(fields) => {
                let found = fields.iter().find(|(field, _, _)| *field == name);
                match found {
                    Some((_, offset, datatype)) => {
                        Ok(FieldRef { offset: *offset, kind: field_kind(datatype, &name)? })
                    }
                    None => {
                        let mut names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
                        names.sort_unstable();
                        err(format!("Field {name:?} not found in dtype (available: {names:?})"))
                    }
                }
            }
        }
    }

    fn parse_value(&mut self) -> Result<Literal, QueryError> {
        match self.next() {
            Token::Number(literal) => Ok(literal),
            Token::Bytes(bytes) => Ok(Literal::Bytes(bytes)),
            Token::Str(text) | Token::Ident(text) => Ok(Literal::Str(text)),
            Token::Bool(flag) => Ok(Literal::Bool(flag)),
            other => err(format!("Expected a literal value, got {other:?}")),
        }
    }

    fn parse_values(&mut self) -> Result<Vec<Literal>, QueryError> {
        self.expect(&Token::LParen, "'('")?;
        let mut values = vec![self.parse_value()?];
        while *self.peek() == Token::Comma {
            self.pos += 1;
            values.push(self.parse_value()?);
        }
        self.expect(&Token::RParen, "')' to close value list")?;
        Ok(values)
    }

    fn parse_predicate(&mut self) -> Result<Expr, QueryError> {
        let field = self.parse_field()?;
        match self.next() {
            Token::Dot => {
                let method = match self.next() {
                    Token::Ident(method) => method.to_lowercase(),
                    Token::In => "in".into(),
                    other => return err(format!("Expected a method name, got {other:?}")),
                };
                match method.as_str() {
                    "isin" => Ok(Expr::In(field, self.parse_values()?, false)),
                    "is_null" | "is_valid" => {
                        self.expect(&Token::LParen, "'('")?;
                        self.expect(&Token::RParen, "')': the method takes no arguments")?;
                        Ok(Expr::Null(field, method == "is_valid"))
                    }
                    other => err(format!(
                        "Unknown method {other:?}, expected 'isin', 'is_null' or 'is_valid'"
                    )),
                }
            }
            Token::In => Ok(Expr::In(field, self.parse_values()?, false)),
            Token::Not => {
                self.expect(&Token::In, "'IN' after 'NOT'")?;
                Ok(Expr::In(field, self.parse_values()?, true))
            }
            Token::Op(op) => {
                let value = self.parse_value()?;
                let numeric = !matches!(field.kind, FieldKind::Bytes { .. });
                let textual = matches!(value, Literal::Bytes(_) | Literal::Str(_));
                if numeric && textual && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    return err("ordering a numeric field against a string is not supported");
                }
                Ok(Expr::Cmp(field, op, value))
            }
            other => {
                err(format!("Expected a comparison operator or '.' after field, got {other:?}"))
            }
        }
    }
}

/// A number read from an element.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

fn read_array<const N: usize>(bytes: &[u8], order: ByteOrder) -> Option<[u8; N]> {
    let mut out: [u8; N] = bytes.get(..N)?.try_into().ok()?;
    if order == ByteOrder::Big {
        out.reverse();
    }
    Some(out)
}

fn read_num(element: &[u8], field: FieldRef) -> Option<Num> {
    let bytes = element.get(field.offset..)?;
    Some(match field.kind {
        FieldKind::Int { size, signed, order } => {
            let mut le = [0_u8; 16];
            let raw = bytes.get(..size)?;
            for (i, b) in raw.iter().enumerate() {
                let at = if order == ByteOrder::Big { size - 1 - i } else { i };
                *le.get_mut(at)? = *b;
            }
            let negative = signed && le.get(size - 1).is_some_and(|b| b & 0x80 != 0);
            if negative {
                for b in le.iter_mut().skip(size) {
                    *b = 0xff;
                }
            }
            Num::Int(i128::from_le_bytes(le))
        }
        FieldKind::Float { size: 2, order } => {
            Num::Float(f16_to_f64(u16::from_le_bytes(read_array::<2>(bytes, order)?)))
        }
        FieldKind::Float { size: 4, order } => {
            Num::Float(f64::from(f32::from_le_bytes(read_array::<4>(bytes, order)?)))
        }
        FieldKind::Float { order, .. } => {
            Num::Float(f64::from_le_bytes(read_array::<8>(bytes, order)?))
        }
        FieldKind::Bytes { .. } => return None,
    })
}

fn strip_nuls(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    &bytes[..end]
}

fn order_holds(op: CmpOp, ordering: Option<std::cmp::Ordering>) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match (op, ordering) {
        (CmpOp::Ne, None) => true,
        (_, None) => false,
        (CmpOp::Eq, Some(o)) => o == Equal,
        (CmpOp::Ne, Some(o)) => o != Equal,
        (CmpOp::Lt, Some(o)) => o == Less,
        (CmpOp::Le, Some(o)) => o != Greater,
        (CmpOp::Gt, Some(o)) => o == Greater,
        (CmpOp::Ge, Some(o)) => o != Less,
    }
}

/// The literal as a fixed-string comparand (HSDS coerces numbers to their decimal text).
fn literal_bytes(value: &Literal) -> Option<Vec<u8>> {
    match value {
        Literal::Bytes(bytes) => Some(bytes.clone()),
        Literal::Str(text) => Some(text.as_bytes().to_vec()),
        #[allow(clippy::cast_possible_truncation)]
        Literal::Float(x) => Some(format!("{}", x.trunc() as i128).into_bytes()),
        Literal::Int(x) => Some(x.to_string().into_bytes()),
        Literal::Bool(_) => None,
    }
}

fn compare(element: &[u8], field: FieldRef, op: CmpOp, value: &Literal) -> bool {
    if let FieldKind::Bytes { len } = field.kind {
        let Some(raw) = element.get(field.offset..field.offset + len) else { return false };
        return match literal_bytes(value) {
            Some(want) => order_holds(op, Some(strip_nuls(raw).cmp(strip_nuls(&want)))),
            None => order_holds(op, None),
        };
    }
    let Some(got) = read_num(element, field) else { return false };
    let want = match value {
        Literal::Int(x) => Num::Int(*x),
        Literal::Float(x) => Num::Float(*x),
        Literal::Bool(flag) => Num::Int(i128::from(*flag)),
        Literal::Bytes(_) | Literal::Str(_) => return order_holds(op, None),
    };
    #[allow(clippy::cast_precision_loss)]
    let ordering = match (got, want) {
        (Num::Int(a), Num::Int(b)) => Some(a.cmp(&b)),
        (Num::Int(a), Num::Float(b)) => (a as f64).partial_cmp(&b),
        (Num::Float(a), Num::Int(b)) => a.partial_cmp(&(b as f64)),
        (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b),
    };
    order_holds(op, ordering)
}

fn eval(expr: &Expr, element: &[u8]) -> bool {
    match expr {
        Expr::Cmp(field, op, value) => compare(element, *field, *op, value),
        Expr::In(field, values, negate) => {
            values.iter().any(|value| compare(element, *field, CmpOp::Eq, value)) != *negate
        }
        Expr::Null(field, valid) => {
            let null = matches!(read_num(element, *field), Some(Num::Float(x)) if x.is_nan());
            null != *valid
        }
        Expr::And(a, b) => eval(a, element) && eval(b, element),
        Expr::Or(a, b) => eval(a, element) || eval(b, element),
        Expr::Not(a) => !eval(a, element),
    }
}

impl Query {
    /// Parses `text` for elements of `datatype`.
    ///
    /// # Errors
    /// [`QueryError`] for a malformed query, an unknown field, or a field type that cannot be
    /// compared (variable-length, nested compound, array, reference, opaque).
    pub fn parse(text: &str, datatype: &Datatype) -> Result<Query, QueryError> {
        if datatype.is_variable() {
            return err("query is not supported for variable-length types");
        }
        let mut parser = Parser { tokens: tokenize(text)?, pos: 0, datatype };
        let expr = parser.parse_or()?;
        if *parser.peek() != Token::Eof {
            return err(format!("Unexpected token {:?} after expression", parser.peek()));
        }
        Ok(Query { expr })
    }

    /// Whether the packed `element` satisfies the query.
    #[must_use]
    pub fn matches(&self, element: &[u8]) -> bool {
        eval(&self.expr, element)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn compound() -> Datatype {
        Datatype::from_json(&json!({"class":"H5T_COMPOUND","fields":[
            {"name":"a","type":"H5T_STD_I32LE"},
            {"name":"s","type":{"class":"H5T_STRING","charSet":"H5T_CSET_ASCII",
                "strPad":"H5T_STR_NULLPAD","length":4}},
            {"name":"f","type":"H5T_IEEE_F64BE"}]}))
        .unwrap()
    }

    fn row(a: i32, s: &[u8], f: f64) -> Vec<u8> {
        let mut out = a.to_le_bytes().to_vec();
        let mut text = s.to_vec();
        text.resize(4, 0);
        out.extend(text);
        out.extend(f.to_be_bytes());
        out
    }

    fn hits(query: &str) -> Vec<usize> {
        let rows = [row(1, b"ab", 0.5), row(2, b"x", f64::NAN), row(3, b"abc", 2.0)];
        let query = Query::parse(query, &compound()).unwrap();
        rows.iter().enumerate().filter(|(_, r)| query.matches(r)).map(|(i, _)| i).collect()
    }

    #[test]
    fn evaluates_like_hsds() {
        // Expected answers are h5json query_util.arrayQuery's on the same rows.
        assert_eq!(hits("a == b'x'"), Vec::<usize>::new());
        assert_eq!(hits("a != \"x\""), [0, 1, 2]);
        assert_eq!(hits("s == ab"), [0]);
        assert_eq!(hits("s > b'ab'"), [1, 2]);
        assert_eq!(hits("s == 0"), Vec::<usize>::new());
        assert_eq!(hits("f.is_null()"), [1]);
        assert_eq!(hits("a in (1,3)"), [0, 2]);
        assert_eq!(hits("not a in (1,3)"), [1]);
        assert_eq!(hits("a not in (1,3)"), [1]);
        assert_eq!(hits("f > 1"), [2]);
        assert_eq!(hits("a == true"), [0]);
        assert_eq!(hits("a > 1.5"), [1, 2]);
        assert_eq!(hits("~(a==1)|(a==3)"), [1, 2]);
        assert_eq!(hits("(a >= 2) & (s == b'x') | field('a') = -7"), [1]);
        assert_eq!(hits("s.isin('x', abc) AND a<3"), [1]);
    }

    #[test]
    fn rejects_malformed_queries() {
        for bad in [
            "a >",
            "b == 1",
            "a == 1 &",
            "a < b'x'",
            "(a == 1",
            "a == 1)",
            "a ! 1",
            "__import__('os')",
            "a == 'x",
            "a.foo()",
            "",
        ] {
            assert!(Query::parse(bad, &compound()).is_err(), "{bad}");
        }
        let int = Datatype::from_json(&json!("H5T_STD_U16BE")).unwrap();
        let q = Query::parse("_ >= 256", &int).unwrap();
        assert!(q.matches(&[1, 0]) && !q.matches(&[0, 255]));
        assert!(Query::parse("a > 1", &int).is_err());
    }
}
