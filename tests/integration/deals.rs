//! Deals: create, update, moves with a lossless history, links, tags, lists.
