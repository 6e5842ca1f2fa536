//! Pure statistics for the instructor dashboard: mean, median, score distribution, and the
//! classical item analysis Moodle reports (facility index and discrimination index).

pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    let upper = *sorted.get(mid)?;
    Some(match sorted.len().is_multiple_of(2) {
        true => (sorted.get(mid - 1)? + upper) / 2.0,
        false => upper,
    })
}

/// Counts of percentages in ten bands: 0–<10, 10–<20, …, 90–100 (100 falls in the last band).
pub fn distribution(percents: &[f64]) -> [u32; 10] {
    let mut bins = [0u32; 10];
    for p in percents {
        let band = ((p.clamp(0.0, 100.0) / 10.0).floor() as usize).min(9);
        if let Some(bin) = bins.get_mut(band) {
            *bin += 1;
        }
    }
    bins
}

/// Facility index: the average score on a question as a percentage of its mark (how easy it
/// was). `scores` are (mark earned, mark possible) per attempt.
pub fn facility(scores: &[(f64, f64)]) -> Option<f64> {
    let fractions: Vec<f64> = scores
        .iter()
        .filter(|(_, max)| *max > 0.0)
        .map(|(mark, max)| mark / max)
        .collect();
    mean(&fractions).map(|f| f * 100.0)
}

/// Discrimination index (Moodle's definition): the correlation, times 100, between the score on
/// one question and the score on the rest of the quiz, over the same attempts. High values mean
/// learners who did well overall did well on this question. `None` when there are fewer than
/// two attempts or either score never varies.
pub fn discrimination(question: &[f64], rest: &[f64]) -> Option<f64> {
    let n = question.len();
    if n < 2 || rest.len() != n {
        return None;
    }
    let (mq, mr) = (mean(question)?, mean(rest)?);
    let mut cov = 0.0;
    let mut vq = 0.0;
    let mut vr = 0.0;
    for (q, r) in question.iter().zip(rest) {
        cov += (q - mq) * (r - mr);
        vq += (q - mq).powi(2);
        vr += (r - mr).powi(2);
    }
    if vq <= f64::EPSILON || vr <= f64::EPSILON {
        return None;
    }
    Some(100.0 * cov / (vq.sqrt() * vr.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-9)
    }

    #[test]
    fn mean_median_and_distribution() {
        let scores = [40.0, 100.0, 55.0, 70.0];
        assert!(close(mean(&scores), 66.25));
        assert!(
            close(median(&scores), 62.5),
            "even count: the middle two averaged"
        );
        assert!(close(median(&[3.0, 1.0, 2.0]), 2.0));
        assert_eq!(median(&[]), None);
        let bins = distribution(&[0.0, 9.99, 10.0, 55.0, 99.0, 100.0, 120.0]);
        assert_eq!(bins, [2, 1, 0, 0, 0, 1, 0, 0, 0, 3]);
    }

    #[test]
    fn facility_and_discrimination_by_hand() {
        // Four attempts: the question (out of 2) scored 2, 2, 1, 0.
        assert!(close(
            facility(&[(2.0, 2.0), (2.0, 2.0), (1.0, 2.0), (0.0, 2.0)]),
            62.5
        ));
        // Rest-of-quiz scores rise with the question's score: a perfect correlation.
        let q = [2.0, 2.0, 1.0, 0.0];
        assert!(close(discrimination(&q, &[8.0, 8.0, 5.0, 2.0]), 100.0));
        // Reversed: strong learners got it wrong.
        assert!(close(discrimination(&q, &[2.0, 2.0, 5.0, 8.0]), -100.0));
        // Hand-computed: q = [1,0,1,0], rest = [3,2,2,1]: sums of products of deviations: cov = 1,
        // q = 1, rest = 2;
        // r = 1 / sqrt(2) = 70.71 %.
        let d = discrimination(&[1.0, 0.0, 1.0, 0.0], &[3.0, 2.0, 2.0, 1.0]).unwrap();
        assert!((d - 70.710678).abs() < 1e-4, "{d}");
        // Everyone scored the same: no discrimination can be computed.
        assert_eq!(discrimination(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(discrimination(&[1.0], &[1.0]), None);
    }
}
