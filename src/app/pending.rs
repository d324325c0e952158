//! A request in flight, as one value instead of a busy flag beside an
//! optional result.

/// Not asked yet, in flight (keeping what the last answer was), or
/// answered.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Pending<T> {
    /// Nothing asked yet.
    #[default]
    Idle,
    /// Asked; the previous answer stays readable meanwhile.
    Waiting(Option<T>),
    /// The answer.
    Ready(T),
}

impl<T> Pending<T> {
    /// The request left: the answer so far becomes the previous one.
    pub fn start(&mut self) {
        let previous = match std::mem::take(self) {
            Self::Ready(value) | Self::Waiting(Some(value)) => Some(value),
            Self::Idle | Self::Waiting(None) => None,
        };
        *self = Self::Waiting(previous);
    }

    /// The answer came.
    pub fn finish(&mut self, value: T) {
        *self = Self::Ready(value);
    }

    /// True while in flight.
    pub fn is_waiting(&self) -> bool {
        matches!(self, Self::Waiting(_))
    }

    /// The answer, or the previous one while a new one is on its way.
    pub fn value(&self) -> Option<&T> {
        match self {
            Self::Ready(value) | Self::Waiting(Some(value)) => Some(value),
            Self::Idle | Self::Waiting(None) => None,
        }
    }

    /// The answer, mutably, once there is one (not while waiting).
    pub fn ready_mut(&mut self) -> Option<&mut T> {
        match self {
            Self::Ready(value) => Some(value),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_answer_stays_while_a_new_one_is_asked_for() {
        let mut pending = Pending::default();
        assert!(!pending.is_waiting());
        pending.start();
        assert!(pending.is_waiting());
        assert_eq!(pending.value(), None);
        pending.finish(1);
        assert_eq!(pending.value(), Some(&1));
        pending.start();
        assert!(pending.is_waiting());
        assert_eq!(pending.value(), Some(&1));
        pending.finish(2);
        assert_eq!(pending, Pending::Ready(2));
    }
}
