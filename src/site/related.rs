//! Related stories: same community first, then same street, then shared tags, then same
//! district; newest first within each, at most [`MAX_RELATED`].

use rayon::prelude::*;

use crate::content::Story;
use crate::site::places::Places;
use crate::site::taxonomy::Taxonomy;

/// How many related stories a story page shows.
pub(crate) const MAX_RELATED: usize = 5;

/// For each story, its related stories (indices into `stories`).
///
/// Every group is a list of indices newest first, and the walk stops as soon as the story has
/// enough, skipping only what it already took: linear in the number of stories.
pub(crate) fn build(stories: &[Story], places: &Places, tags: &Taxonomy) -> Vec<Vec<usize>> {
    (0..stories.len())
        .into_par_iter()
        .map(|story_idx| {
            let Some(Some(where_)) = places.of_story.get(story_idx) else {
                return Vec::new();
            };
            let mut groups: Vec<&[usize]> = vec![&places.all[where_.community].stories];
            if let Some(street) = where_.street {
                groups.push(&places.all[street].stories);
            }
            groups.extend(
                stories[story_idx]
                    .tags
                    .iter()
                    .filter_map(|tag| tags.term(tag))
                    .map(|term| term.stories.as_slice()),
            );
            groups.push(&places.all[where_.district].stories);
            pick(story_idx, &groups, MAX_RELATED)
        })
        .collect()
}

/// Takes up to `max` indices from the groups in order, skipping `own` and repeats.
fn pick(own: usize, groups: &[&[usize]], max: usize) -> Vec<usize> {
    let mut picked = Vec::with_capacity(max);
    for group in groups {
        for &idx in *group {
            if picked.len() == max {
                return picked;
            }
            if idx != own && !picked.contains(&idx) {
                picked.push(idx);
            }
        }
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_in_order_without_repeats_or_self() {
        let community: &[usize] = &[0, 3];
        let street: &[usize] = &[0, 1, 3];
        let tag: &[usize] = &[2, 3, 5];
        let district: &[usize] = &[0, 1, 2, 3, 4, 5, 6];
        assert_eq!(
            pick(3, &[community, street, tag, district], 5),
            vec![0, 1, 2, 5, 4]
        );
        assert_eq!(pick(0, &[community], 5), vec![3]);
        assert_eq!(pick(0, &[district], 2), vec![1, 2]);
    }
}
