//! Real receivers on 127.0.0.1 for the delivery tests: an HTTP server whose
//! answers are scripted per request (fail N times, drop the connection, be
//! slow, 429 with Retry-After), and a small SMTP server speaking EHLO, AUTH
//! (PLAIN and LOGIN), MAIL, RCPT and DATA, which keeps every message.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the HTTP receiver does with one request (after reading it whole).
#[derive(Clone, Debug)]
pub enum Answer {
    Status(u16),
    /// 429 (or another status) with a `Retry-After` value.
    RetryAfter(u16, String),
    /// Close the connection without a response.
    Drop,
    /// Wait, then answer 200.
    Slow(Duration),
}

#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The status it was answered with (0: dropped).
    pub answered: u16,
    pub at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

#[derive(Clone)]
pub struct HttpReceiver {
    pub url: String,
    pub script: Arc<Mutex<VecDeque<Answer>>>,
    pub requests: Arc<Mutex<Vec<Request>>>,
    /// Applied after the script runs out.
    pub default: Arc<Mutex<Answer>>,
}

impl HttpReceiver {
    pub fn start(script: Vec<Answer>) -> HttpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let r = HttpReceiver {
            url,
            script: Arc::new(Mutex::new(script.into())),
            requests: Arc::new(Mutex::new(vec![])),
            default: Arc::new(Mutex::new(Answer::Status(200))),
        };
        let me = r.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let me = me.clone();
                std::thread::spawn(move || me.serve(stream));
            }
        });
        r
    }

    fn serve(&self, stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut stream = stream;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut headers = vec![];
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).unwrap_or(0) == 0 {
                    return;
                }
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':') {
                    headers.push((k.trim().to_string(), v.trim().to_string()));
                }
            }
            let len: usize =
                headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-length")).map(|(_, v)| v.parse().unwrap()).unwrap_or(0);
            let mut body = vec![0; len];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let answer = self.script.lock().unwrap().pop_front().unwrap_or_else(|| self.default.lock().unwrap().clone());
            let at = Instant::now();
            let (status, extra) = match &answer {
                Answer::Status(s) => (*s, String::new()),
                Answer::RetryAfter(s, v) => (*s, format!("retry-after: {v}\r\n")),
                Answer::Drop => (0, String::new()),
                Answer::Slow(d) => {
                    // Recorded on arrival: a kill -9 while this one waits
                    // still shows it was received.
                    self.requests.lock().unwrap().push(Request {
                        path: path.clone(),
                        headers: headers.clone(),
                        body: body.clone(),
                        answered: 200,
                        at,
                    });
                    std::thread::sleep(*d);
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
                    continue;
                }
            };
            self.requests.lock().unwrap().push(Request { path, headers, body, answered: status, at });
            if status == 0 {
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return;
            }
            let _ = stream.write_all(format!("HTTP/1.1 {status} X\r\n{extra}content-length: 2\r\n\r\nok").as_bytes());
        }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }

    /// Wait until `ok` holds for the requests seen, or panic after `secs`.
    pub fn wait_for(&self, secs: u64, what: &str, ok: impl Fn(&[Request]) -> bool) -> Vec<Request> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let seen = self.requests();
            if ok(&seen) {
                return seen;
            }
            assert!(
                Instant::now() < end,
                "{what}: timed out with {} requests: {:?}",
                seen.len(),
                seen.iter().map(|r| r.answered).collect::<Vec<_>>()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One message the SMTP server accepted.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
    pub auth: Option<String>,
}

#[derive(Clone)]
pub struct SmtpReceiver {
    pub port: u16,
    pub inbox: Arc<Mutex<Vec<Mail>>>,
    /// Answer this many DATA commands with 451 first (transient).
    pub fail_data: Arc<Mutex<u32>>,
}

impl SmtpReceiver {
    pub fn start() -> SmtpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let r = SmtpReceiver {
            port: listener.local_addr().unwrap().port(),
            inbox: Arc::new(Mutex::new(vec![])),
            fail_data: Arc::new(Mutex::new(0)),
        };
        let me = r.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let me = me.clone();
                std::thread::spawn(move || {
                    let _ = me.session(stream);
                });
            }
        });
        r
    }

    fn session(&self, stream: TcpStream) -> std::io::Result<()> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut w = stream;
        let mut line = String::new();
        let read = |reader: &mut BufReader<TcpStream>, line: &mut String| -> std::io::Result<bool> {
            line.clear();
            Ok(reader.read_line(line)? > 0)
        };
        w.write_all(b"220 receiver.test ESMTP\r\n")?;
        let (mut from, mut to, mut auth) = (String::new(), vec![], None);
        while read(&mut reader, &mut line)? {
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                w.write_all(b"250-receiver.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")?;
            } else if let Some(rest) = upper.strip_prefix("AUTH PLAIN") {
                let arg = cmd[cmd.len() - rest.len()..].trim().to_string();
                let arg = if arg.is_empty() {
                    w.write_all(b"334 \r\n")?;
                    read(&mut reader, &mut line)?;
                    line.trim().to_string()
                } else {
                    arg
                };
                let decoded = b64.decode(arg).unwrap_or_default();
                let parts: Vec<String> = decoded.split(|b| *b == 0).map(|p| String::from_utf8_lossy(p).into_owned()).collect();
                auth = Some(format!("{}:{}", parts.get(1).cloned().unwrap_or_default(), parts.get(2).cloned().unwrap_or_default()));
                w.write_all(b"235 2.7.0 ok\r\n")?;
            } else if upper.starts_with("AUTH LOGIN") {
                w.write_all(b"334 VXNlcm5hbWU6\r\n")?;
                read(&mut reader, &mut line)?;
                let user = String::from_utf8_lossy(&b64.decode(line.trim()).unwrap_or_default()).into_owned();
                w.write_all(b"334 UGFzc3dvcmQ6\r\n")?;
                read(&mut reader, &mut line)?;
                let pass = String::from_utf8_lossy(&b64.decode(line.trim()).unwrap_or_default()).into_owned();
                auth = Some(format!("{user}:{pass}"));
                w.write_all(b"235 2.7.0 ok\r\n")?;
            } else if upper.starts_with("MAIL FROM:") {
                from =
                    cmd[10..].trim().trim_matches(['<', '>']).split_whitespace().next().unwrap_or("").trim_matches(['<', '>']).to_string();
                to.clear();
                w.write_all(b"250 ok\r\n")?;
            } else if upper.starts_with("RCPT TO:") {
                to.push(cmd[8..].trim().trim_matches(['<', '>']).to_string());
                w.write_all(b"250 ok\r\n")?;
            } else if upper == "DATA" {
                w.write_all(b"354 go ahead\r\n")?;
                let mut data = String::new();
                loop {
                    if !read(&mut reader, &mut line)? {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').filter(|_| line.starts_with("..")).unwrap_or(&line));
                }
                let fail = {
                    let mut f = self.fail_data.lock().unwrap();
                    let now = *f > 0;
                    *f = f.saturating_sub(1);
                    now
                };
                if fail {
                    w.write_all(b"451 4.3.0 try again later\r\n")?;
                } else {
                    self.inbox.lock().unwrap().push(Mail { from: from.clone(), to: to.clone(), data, auth: auth.clone() });
                    w.write_all(b"250 2.0.0 queued\r\n")?;
                }
            } else if upper == "RSET" || upper == "NOOP" {
                w.write_all(b"250 ok\r\n")?;
            } else if upper == "QUIT" {
                w.write_all(b"221 bye\r\n")?;
                return Ok(());
            } else {
                w.write_all(b"502 not implemented\r\n")?;
            }
        }
        Ok(())
    }

    pub fn mails(&self) -> Vec<Mail> {
        self.inbox.lock().unwrap().clone()
    }

    pub fn wait_for(&self, secs: u64, what: &str, ok: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let seen = self.mails();
            if ok(&seen) {
                return seen;
            }
            assert!(Instant::now() < end, "{what}: timed out with {} mails", seen.len());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}
