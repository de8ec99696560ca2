//! Tasks counted by light and by status, and the rates derived from the counts (办结率,
//! 按期办结率, 报送率): the one type behind the status engine's rates, the trend's months, the
//! notices' sentences and the e-mails' light counts.

use super::{Light, Status};
use crate::numbers::percent;
use serde::Serialize;

/// Tasks per light.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LightCounts {
    pub red: u32,
    pub yellow: u32,
    pub blue: u32,
    pub green: u32,
}

impl LightCounts {
    /// Counts one task of `light`.
    pub fn add(&mut self, light: Light) {
        *self.get_mut(light) += 1;
    }

    /// The tasks of `light`.
    pub fn get(&self, light: Light) -> u32 {
        match light {
            Light::Red => self.red,
            Light::Yellow => self.yellow,
            Light::Blue => self.blue,
            Light::Green => self.green,
        }
    }

    fn get_mut(&mut self, light: Light) -> &mut u32 {
        match light {
            Light::Red => &mut self.red,
            Light::Yellow => &mut self.yellow,
            Light::Blue => &mut self.blue,
            Light::Green => &mut self.green,
        }
    }

    /// `[red, yellow, blue, green]`.
    pub fn as_array(self) -> [u32; 4] {
        [self.red, self.yellow, self.blue, self.green]
    }
}

impl FromIterator<Light> for LightCounts {
    fn from_iter<I: IntoIterator<Item = Light>>(lights: I) -> LightCounts {
        let mut counts = LightCounts::default();
        for light in lights {
            counts.add(light);
        }
        counts
    }
}

/// Tasks counted by status and light, with whether each was reported.
///
/// The five main status buckets (`done`, `on_track`, `lagging`, `overdue`, `not_reported`) add
/// up to the tasks that had a status. What counts as reported is the caller's rule (a
/// completion carried forward from an earlier month is not a report; a unit's rates count the
/// unit's own report), so it is given to [`Counts::add`].
///
/// Serialised flat: the light counts appear as `red`, `yellow`, `blue`, `green` beside the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tasks: u32,
    /// 已完成 (按期完成, 逾期完成 and 已完成), of which `done_on_time` 按期完成 and
    /// `done_late` 逾期完成.
    pub done: u32,
    pub done_on_time: u32,
    pub done_late: u32,
    /// 序时推进 including 临期 (`due_soon`) and 未启动 (`not_started`).
    pub on_track: u32,
    pub due_soon: u32,
    pub not_started: u32,
    pub lagging: u32,
    pub overdue: u32,
    /// Tasks of status 未报送.
    pub not_reported: u32,
    /// Tasks counted as reported (see [`Counts::add`]).
    pub reported: u32,
    #[serde(flatten)]
    pub lights: LightCounts,
}

impl Counts {
    /// Counts one task: its status and light when known, and whether it counts as reported.
    pub fn add(&mut self, status: Option<Status>, light: Option<Light>, reported: bool) {
        self.tasks += 1;
        if let Some(status) = status {
            self.add_status(status);
        }
        if let Some(light) = light {
            self.lights.add(light);
        }
        if reported {
            self.reported += 1;
        }
    }

    /// Tasks of exactly this status (`done` and `on_track` are split back into their parts).
    pub fn of_status(&self, status: Status) -> u32 {
        match status {
            Status::DoneOnTime => self.done_on_time,
            Status::Done => self.done - self.done_on_time - self.done_late,
            Status::DoneLate => self.done_late,
            Status::OnTrack => self.on_track - self.due_soon - self.not_started,
            Status::DueSoon => self.due_soon,
            Status::NotStarted => self.not_started,
            Status::Lagging => self.lagging,
            Status::Overdue => self.overdue,
            Status::NotReported => self.not_reported,
        }
    }

    fn add_status(&mut self, status: Status) {
        match status {
            Status::DoneOnTime => {
                self.done += 1;
                self.done_on_time += 1;
            }
            Status::Done => self.done += 1,
            Status::DoneLate => {
                self.done += 1;
                self.done_late += 1;
            }
            Status::OnTrack => self.on_track += 1,
            Status::DueSoon => {
                self.on_track += 1;
                self.due_soon += 1;
            }
            Status::NotStarted => {
                self.on_track += 1;
                self.not_started += 1;
            }
            Status::Lagging => self.lagging += 1,
            Status::Overdue => self.overdue += 1,
            Status::NotReported => self.not_reported += 1,
        }
    }

    /// 办结率 in percent, unrounded (0 for no tasks).
    pub fn completion_rate(&self) -> f64 {
        percent(self.done, self.tasks)
    }

    /// 按期办结率 in percent, unrounded.
    pub fn on_time_rate(&self) -> f64 {
        percent(self.done_on_time, self.tasks)
    }

    /// 报送率 in percent, unrounded.
    pub fn report_rate(&self) -> f64 {
        percent(self.reported, self.tasks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_into_the_five_buckets() {
        let mut c = Counts::default();
        for s in Status::all() {
            c.add(Some(s), None, s != Status::NotReported);
        }
        c.add(None, Some(Light::Red), false);
        assert_eq!(c.tasks, 10);
        assert_eq!((c.done, c.done_on_time, c.done_late), (3, 1, 1));
        assert_eq!((c.on_track, c.due_soon, c.not_started), (3, 1, 1));
        assert_eq!((c.lagging, c.overdue, c.not_reported), (1, 1, 1));
        assert_eq!(
            c.done + c.on_track + c.lagging + c.overdue + c.not_reported,
            9
        );
        assert_eq!(c.reported, 8);
        assert_eq!(c.lights.as_array(), [1, 0, 0, 0]);
    }

    #[test]
    fn rates_are_unrounded_percentages() {
        let mut c = Counts::default();
        assert_eq!(
            (c.completion_rate(), c.on_time_rate(), c.report_rate()),
            (0.0, 0.0, 0.0)
        );
        c.add(Some(Status::DoneOnTime), Some(Light::Green), true);
        c.add(Some(Status::Lagging), Some(Light::Yellow), true);
        c.add(Some(Status::NotReported), Some(Light::Red), false);
        assert_eq!(c.completion_rate(), 100.0 / 3.0);
        assert_eq!(c.on_time_rate(), 100.0 / 3.0);
        assert_eq!(c.report_rate(), 200.0 / 3.0);
    }

    #[test]
    fn lights_count_and_serialise_flat() {
        let lights: LightCounts = [Light::Red, Light::Green, Light::Red].into_iter().collect();
        assert_eq!(lights.as_array(), [2, 0, 0, 1]);
        assert_eq!(lights.get(Light::Red), 2);
        let c = Counts {
            tasks: 3,
            lights,
            ..Counts::default()
        };
        let json = serde_json::to_value(c).unwrap_or_default();
        assert_eq!(json["red"], 2);
        assert_eq!(json["green"], 1);
        assert_eq!(json["tasks"], 3);
        assert!(json.get("lights").is_none());
    }
}
