//! The progress bar: one line redrawn with `\r` on a terminal (bytes and objects done of the
//! total, rate, ETA), and a one-line summary at the end in every case.

use std::io::Write;
use std::time::{Duration, Instant};

const REDRAW: Duration = Duration::from_millis(100);
const BAR_WIDTH: usize = 24;
const MIB: f64 = 1048576.0;

/// Progress of one import or export.
#[derive(Debug)]
pub struct Progress {
    label: &'static str,
    draw: bool,
    total_bytes: u64,
    total_objects: u64,
    bytes: u64,
    objects: u64,
    started: Instant,
    last_draw: Option<Instant>,
}

impl Progress {
    /// Progress for `label` (`import`/`export`); the bar is drawn on stderr only if `draw`.
    pub fn new(label: &'static str, draw: bool, total_bytes: u64, total_objects: u64) -> Progress {
        Progress {
            label,
            draw,
            total_bytes,
            total_objects,
            bytes: 0,
            objects: 0,
            started: Instant::now(),
            last_draw: None,
        }
    }

    /// `bytes` more bytes of values were copied.
    pub fn add_bytes(&mut self, bytes: u64) {
        self.bytes = self.bytes.saturating_add(bytes);
        self.maybe_draw();
    }

    /// One more object is complete.
    pub fn add_object(&mut self) {
        self.objects = self.objects.saturating_add(1);
        self.maybe_draw();
    }

    fn maybe_draw(&mut self) {
        if !self.draw {
            return;
        }
        let now = Instant::now();
        if self.last_draw.is_some_and(|last| now.duration_since(last) < REDRAW) {
            return;
        }
        self.last_draw = Some(now);
        let line = self.line(now.duration_since(self.started));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{line}\x1b[K");
        let _ = err.flush();
    }

    /// The bar line after `elapsed`.
    pub fn line(&self, elapsed: Duration) -> String {
        let fraction = if self.total_bytes > 0 {
            self.bytes as f64 / self.total_bytes as f64
        } else if self.total_objects > 0 {
            self.objects as f64 / self.total_objects as f64
        } else {
            1.0
        }
        .clamp(0.0, 1.0);
        let filled = (fraction * BAR_WIDTH as f64).round() as usize;
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled));
        let seconds = elapsed.as_secs_f64();
        let rate = if seconds > 0.0 { self.bytes as f64 / seconds } else { 0.0 };
        let eta = if fraction >= 1.0 {
            "0s".to_string()
        } else if fraction > 0.0 {
            format_duration(seconds * (1.0 - fraction) / fraction)
        } else {
            "?".to_string()
        };
        format!(
            "{} [{bar}] {:3.0}% {:.1}/{:.1} MiB  {}/{} objects  {:.1} MiB/s  ETA {eta}",
            self.label,
            fraction * 100.0,
            self.bytes as f64 / MIB,
            self.total_bytes as f64 / MIB,
            self.objects,
            self.total_objects,
            rate / MIB,
        )
    }

    /// Ends the bar (if drawn) and prints the summary line on stderr.
    pub fn finish(&mut self, what: &str) {
        let elapsed = self.started.elapsed();
        let mut err = std::io::stderr().lock();
        if self.draw {
            let _ = writeln!(err, "\r{}\x1b[K", self.line(elapsed));
        }
        let seconds = elapsed.as_secs_f64();
        let rate = if seconds > 0.0 { self.bytes as f64 / seconds / MIB } else { 0.0 };
        let _ = writeln!(
            err,
            "restvol {}: {what}: {} objects, {:.1} MiB in {:.1} s ({rate:.1} MiB/s)",
            self.label,
            self.objects,
            self.bytes as f64 / MIB,
            seconds,
        );
    }
}

fn format_duration(seconds: f64) -> String {
    let total = seconds.round() as u64;
    if total >= 3600 {
        format!("{}h{:02}m", total / 3600, (total % 3600) / 60)
    } else if total >= 60 {
        format!("{}m{:02}s", total / 60, total % 60)
    } else {
        format!("{total}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_shows_bytes_objects_rate_and_eta() {
        let mut p = Progress::new("import", false, 64 << 20, 4);
        p.add_bytes(16 << 20);
        p.add_object();
        let line = p.line(Duration::from_secs(2));
        assert!(line.contains(" 25% 16.0/64.0 MiB"), "{line}");
        assert!(line.contains("1/4 objects"), "{line}");
        assert!(line.contains("8.0 MiB/s"), "{line}");
        assert!(line.contains("ETA 6s"), "{line}");
    }

    #[test]
    fn durations() {
        assert_eq!(format_duration(59.4), "59s");
        assert_eq!(format_duration(61.0), "1m01s");
        assert_eq!(format_duration(3725.0), "1h02m");
    }
}
