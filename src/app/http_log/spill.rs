//! The session's exchanges in bounded memory (issue 20): the newest stay in
//! memory, the older ones move to the session file on disk
//! (`engine::store::session_file`, written by the bridge off the UI thread) and
//! are read back when the HTTP log shows one or a HAR export needs them.
//! Every exchange keeps its row of the log in memory (`state::LogRow`, about
//! 64 bytes, and 8 here for its id), so the log's count and find cover all.
//!
//! Pure transitions, tested without egui: the app moves the exchanges out
//! with [`ExchangeLog::overflow`], hands them to the bridge, and either
//! forgets them ([`ExchangeLog::spilled`]) or takes them back when the
//! write failed ([`ExchangeLog::spill_failed`]) — nothing is lost.

use std::collections::VecDeque;

use crate::engine::wire::http::Exchange;

/// How much of the log stays in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogBudget {
    /// The newest this many exchanges.
    pub exchanges: usize,
    /// And never more than this many bytes of bodies.
    pub body_bytes: usize,
}

impl Default for LogBudget {
    fn default() -> Self {
        Self {
            exchanges: 2_000,
            body_bytes: 200 * 1024 * 1024,
        }
    }
}

/// Every exchange of the session: the newest in memory, the rest in the
/// session file.
#[derive(Debug, Default)]
pub struct ExchangeLog {
    /// In memory, oldest first.
    recent: VecDeque<Exchange>,
    /// Body bytes of `recent`.
    body_bytes: usize,
    /// The budget.
    pub budget: LogBudget,
    /// The setting: keep everything in memory.
    pub keep_in_memory: bool,
    /// The setting: keep secrets in the session file.
    pub keep_secrets: bool,
    /// Ids in the session file (or on their way there), sorted: 8 bytes
    /// each, for every exchange that left memory.
    spilled: Vec<u64>,
    /// Exchanges on their way to the session file.
    in_flight: usize,
    /// Exchanges written with their secrets masked.
    pub masked: usize,
    /// The last exchange read back from the session file.
    pub paged_in: Option<Exchange>,
    /// An exchange being read back.
    pub reading: Option<u64>,
    /// Why the session file cannot be used (everything stays in memory).
    pub problem: Option<String>,
}

fn body_size(exchange: &Exchange) -> usize {
    exchange.request.body.len() + exchange.response.as_ref().map_or(0, |r| r.body.len())
}

impl ExchangeLog {
    /// A log with this budget.
    pub fn with_budget(budget: LogBudget) -> Self {
        Self {
            budget,
            ..Self::default()
        }
    }

    /// Adds a new exchange.
    pub fn push(&mut self, exchange: Exchange) {
        self.body_bytes += body_size(&exchange);
        self.recent.push_back(exchange);
    }

    /// Exchanges in memory, oldest first.
    pub fn recent(&self) -> &VecDeque<Exchange> {
        &self.recent
    }

    /// How many exchanges the session has, in memory or not.
    pub fn len(&self) -> usize {
        self.recent.len() + self.spilled.len()
    }

    /// True when the session has no exchange.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many are in the session file (or on their way there).
    pub fn spilled_count(&self) -> usize {
        self.spilled.len()
    }

    /// The exchange `id`, when it is in memory (or is the one read back).
    pub fn get(&self, id: u64) -> Option<&Exchange> {
        // Concurrent requests can arrive out of id order: search, do not
        // bisect. The newest are the likeliest.
        self.recent
            .iter()
            .rev()
            .find(|e| e.id == id)
            .or_else(|| self.paged_in.as_ref().filter(|e| e.id == id))
    }

    /// True when `id` is in the session file: [`Self::get`] has it only
    /// once it is read back.
    pub fn is_spilled(&self, id: u64) -> bool {
        self.spilled.binary_search(&id).is_ok()
    }

    /// True when the exchange exists, in memory or in the session file.
    pub fn holds(&self, id: u64) -> bool {
        self.is_spilled(id) || self.recent.iter().any(|e| e.id == id)
    }

    /// Takes the oldest exchanges out of memory when over budget, for the
    /// bridge to write to the session file; `None` when within budget, when
    /// spilling is off or broken, or while an earlier write is on its way.
    /// Spills down to 90 % of the budget, so writes come in batches.
    pub fn overflow(&mut self) -> Option<Vec<Exchange>> {
        if self.keep_in_memory || self.problem.is_some() || self.in_flight > 0 {
            return None;
        }
        let over = |count: usize, bytes: usize| {
            count > self.budget.exchanges || bytes > self.budget.body_bytes
        };
        if !over(self.recent.len(), self.body_bytes) {
            return None;
        }
        let (keep_count, keep_bytes) = (
            self.budget.exchanges - self.budget.exchanges / 10,
            self.budget.body_bytes - self.budget.body_bytes / 10,
        );
        let mut out = Vec::new();
        // The newest always stays, whatever its size.
        while self.recent.len() > 1
            && (self.recent.len() > keep_count || self.body_bytes > keep_bytes)
        {
            let Some(exchange) = self.recent.pop_front() else {
                break;
            };
            self.body_bytes -= body_size(&exchange);
            // Ids come nearly in order: the place is at or near the end.
            let at = self.spilled.partition_point(|&id| id < exchange.id);
            self.spilled.insert(at, exchange.id);
            out.push(exchange);
        }
        if out.is_empty() {
            return None;
        }
        self.in_flight = out.len();
        Some(out)
    }

    /// The session file took the exchanges [`Self::overflow`] gave.
    pub fn spilled(&mut self, masked: bool) {
        if masked {
            self.masked += self.in_flight;
        }
        self.in_flight = 0;
    }

    /// The session file could not take them: they come back to memory, in
    /// their place, and everything stays in memory from now on.
    pub fn spill_failed(&mut self, exchanges: Vec<Exchange>, problem: String) {
        self.put_back(exchanges);
        self.problem = Some(problem);
    }

    /// They could not be sent to the session file this time: back to
    /// memory, in their place, for the next try.
    pub fn put_back(&mut self, exchanges: Vec<Exchange>) {
        for exchange in exchanges.into_iter().rev() {
            if let Ok(at) = self.spilled.binary_search(&exchange.id) {
                self.spilled.remove(at);
            }
            self.body_bytes += body_size(&exchange);
            self.recent.push_front(exchange);
        }
        self.in_flight = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::wire::http::{ExchangeKind, RecordedRequest};

    fn exchange(id: u64, body: usize) -> Exchange {
        Exchange {
            id,
            kind: ExchangeKind::Api,
            started_at: chrono::Utc::now(),
            duration: std::time::Duration::ZERO,
            request: RecordedRequest {
                method: "GET".to_string(),
                url: format!("http://127.0.0.1/{id}"),
                headers: Vec::new(),
                body: vec![b'x'; body].into(),
            },
            response: None,
            error: None,
        }
    }

    fn log(exchanges: usize, body_bytes: usize) -> ExchangeLog {
        ExchangeLog::with_budget(LogBudget {
            exchanges,
            body_bytes,
        })
    }

    #[test]
    fn the_oldest_go_in_a_batch_when_over_budget_and_nothing_is_lost() {
        let mut log = log(10, usize::MAX);
        for id in 1..=10 {
            log.push(exchange(id, 1));
            assert!(log.overflow().is_none(), "within budget at {id}");
        }
        log.push(exchange(11, 1));
        let out = log.overflow().expect("over budget");
        assert_eq!(out.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(log.len(), 11, "every exchange still counts");
        assert!(log.is_spilled(1) && log.get(1).is_none() && log.holds(1));
        log.push(exchange(12, 1));
        assert!(log.overflow().is_none(), "one write at a time");
        log.spilled(true);
        assert_eq!(log.masked, 2);
        assert!(log.overflow().is_none(), "10 in memory: within budget");
        log.push(exchange(13, 1));
        let ids: Vec<u64> = log
            .overflow()
            .expect("again")
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(ids, [3, 4]);
    }

    #[test]
    fn big_bodies_spill_by_size_but_the_newest_stays() {
        let mut log = log(100, 1_000);
        log.push(exchange(1, 600));
        log.push(exchange(2, 600));
        let out = log.overflow().expect("over the byte budget");
        assert_eq!(out.len(), 1);
        log.spilled(false);
        log.push(exchange(3, 5_000));
        let out = log.overflow().expect("over");
        assert_eq!(out[0].id, 2);
        assert_eq!(log.recent().len(), 1, "the newest stays whatever its size");
    }

    #[test]
    fn a_failed_write_brings_them_back_in_place_and_stops_spilling() {
        let mut log = log(2, usize::MAX);
        for id in 1..=4 {
            log.push(exchange(id, 1));
        }
        let out = log.overflow().expect("over");
        log.spill_failed(out, "disk full".to_string());
        let ids: Vec<u64> = log.recent().iter().map(|e| e.id).collect();
        assert_eq!(ids, [1, 2, 3, 4]);
        assert!(!log.is_spilled(1));
        log.push(exchange(5, 1));
        assert!(log.overflow().is_none(), "everything stays in memory now");
    }

    #[test]
    fn ids_out_of_order_are_spilled_found_and_put_back() {
        let mut log = log(1, usize::MAX);
        for id in [3, 1, 2, 5, 4] {
            log.push(exchange(id, 1));
        }
        let out = log.overflow().expect("over");
        assert_eq!(out.iter().map(|e| e.id).collect::<Vec<_>>(), [3, 1, 2, 5]);
        assert!([1, 2, 3, 5].iter().all(|&id| log.is_spilled(id)));
        assert!(!log.is_spilled(4) && log.holds(4) && log.len() == 5);
        log.put_back(out);
        assert!((1..=5).all(|id| !log.is_spilled(id) && log.get(id).is_some()));
        assert_eq!(log.spilled_count(), 0);
    }

    #[test]
    fn kept_in_memory_when_the_user_says_so() {
        let mut log = log(1, 1);
        log.keep_in_memory = true;
        for id in 1..=5 {
            log.push(exchange(id, 10));
        }
        assert!(log.overflow().is_none());
    }
}
