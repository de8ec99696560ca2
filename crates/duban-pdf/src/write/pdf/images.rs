//! The document's image XObjects: named once per distinct image, listed per page.

use crate::elements::Image;
use crate::layout::{Layout, Page};
use crate::write::sign::SignatureField;
use pdf_writer::{Filter, Finish, Pdf, Ref};
use sha2::{Digest, Sha256};

/// The document's distinct images (by content), in order of first use, each an image
/// XObject `/Im<n>` with its alpha as a soft mask.
pub(super) struct ImageRefs<'a> {
    /// (image, its XObject, its soft mask)
    list: Vec<(&'a Image, Ref, Option<Ref>)>,
}

impl<'a> ImageRefs<'a> {
    pub(super) fn collect(
        layout: &'a Layout,
        field: Option<&'a SignatureField>,
        alloc: &mut impl FnMut() -> Ref,
    ) -> ImageRefs<'a> {
        let mut list: Vec<(&Image, Ref, Option<Ref>)> = Vec::new();
        let placed = layout.pages.iter().flat_map(Page::images);
        let shown = placed
            .map(|p| &*p.image)
            .chain(field.and_then(|f| f.appearance.as_deref()));
        for image in shown {
            if !list
                .iter()
                .any(|(known, _, _)| known.digest == image.digest)
            {
                let mask = image.alpha.as_ref().map(|_| ());
                let xobject = alloc();
                list.push((image, xobject, mask.map(|()| alloc())));
            }
        }
        ImageRefs { list }
    }

    pub(super) fn entry_of(&self, image: Option<&Image>) -> Option<(String, Ref)> {
        let image = image?;
        self.list
            .iter()
            .position(|(known, _, _)| known.digest == image.digest)
            .map(|i| (format!("Im{i}"), self.list[i].1))
    }

    pub(super) fn name_of(&self, image: Option<&Image>) -> Option<String> {
        let image = image?;
        self.list
            .iter()
            .position(|(known, _, _)| known.digest == image.digest)
            .map(|i| format!("Im{i}"))
    }

    /// The images a page draws itself, by resource name.
    pub(super) fn on_page(&self, page: &Page, skip: Option<&SignatureField>) -> Vec<(String, Ref)> {
        let mut used: Vec<(String, Ref)> = Vec::new();
        for placed in page.images() {
            if skip.is_some_and(|f| f.shows(placed)) {
                continue;
            }
            if let Some(i) = self
                .list
                .iter()
                .position(|(known, _, _)| known.digest == placed.image.digest)
                && !used.iter().any(|(_, r)| *r == self.list[i].1)
            {
                used.push((format!("Im{i}"), self.list[i].1));
            }
        }
        used.sort();
        used
    }

    pub(super) fn write(&self, pdf: &mut Pdf, id_hash: &mut Sha256) {
        for (image, xobject, mask) in &self.list {
            id_hash.update(image.digest);
            let width = image.width as i32;
            let height = image.height as i32;
            let mut x = match &image.packed.rgb {
                Some(packed) => {
                    let mut x = pdf.image_xobject(*xobject, packed);
                    x.filter(Filter::FlateDecode);
                    x
                }
                None => pdf.image_xobject(*xobject, &image.rgb),
            };
            x.width(width).height(height).bits_per_component(8);
            x.color_space().device_rgb();
            x.interpolate(true);
            if let Some(mask) = mask {
                x.s_mask(*mask);
            }
            x.finish();
            if let (Some(mask), Some(alpha)) = (mask, &image.alpha) {
                let mut m = match &image.packed.alpha {
                    Some(packed) => {
                        let mut m = pdf.image_xobject(*mask, packed);
                        m.filter(Filter::FlateDecode);
                        m
                    }
                    None => pdf.image_xobject(*mask, alpha),
                };
                m.width(width).height(height).bits_per_component(8);
                m.color_space().device_gray();
                m.interpolate(true);
            }
        }
    }
}
