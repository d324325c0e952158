//! Lists a long session only adds to — token sets, timeline entries, sent
//! requests — kept to their newest entries in memory (issue 20).

/// Pushes `item` and lets the oldest entries go once `list` holds more than
/// `kept + slack`, down to `kept` (a slack lets them go in batches rather
/// than one per push); returns how many went.
pub fn push_newest<T>(list: &mut Vec<T>, item: T, kept: usize, slack: usize) -> usize {
    list.push(item);
    if list.len() <= kept + slack {
        return 0;
    }
    let over = list.len() - kept;
    list.drain(..over);
    over
}

#[cfg(test)]
mod tests {
    use super::push_newest;

    #[test]
    fn the_oldest_go_past_the_bound_in_a_batch_when_there_is_slack() {
        let mut exact = Vec::new();
        let gone: usize = (0..10).map(|i| push_newest(&mut exact, i, 3, 0)).sum();
        assert_eq!((exact, gone), (vec![7, 8, 9], 7));
        let mut batched = Vec::new();
        let gone: Vec<usize> = (0..6).map(|i| push_newest(&mut batched, i, 3, 2)).collect();
        assert_eq!(gone, [0, 0, 0, 0, 0, 3], "at 6 entries, down to 3");
        assert_eq!(batched, [3, 4, 5]);
    }
}
