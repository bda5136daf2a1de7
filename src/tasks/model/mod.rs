//! Task rows and their SQL. The only place in the domain that talks to the database.

pub mod task;

pub use task::{NewTask, Task, TaskChanges, TaskFilter};
