//! One page of a list, as every list in Lyceum is paged (shared by the server and the browser).

use serde::{Deserialize, Serialize};

/// One page of results with the total, for "Page 2 of 40".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// There are more than `total` matches (counting stopped early).
    #[serde(default)]
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        let per = self.per_page.max(1) as i64;
        ((self.total + per - 1) / per).max(1) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::Page;

    #[test]
    fn page_count_rounds_up() {
        let page = Page::<()> {
            items: vec![],
            total: 101,
            total_capped: false,
            page: 1,
            per_page: 25,
        };
        assert_eq!(page.page_count(), 5);
    }
}
