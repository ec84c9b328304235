"""Thai-first user-visible strings and the Buddhist Era.

Every string a user sees has a Thai and an English form; Thai is the default.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request

LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"
BUDDHIST_ERA_OFFSET = 543

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"th": "ระบบวางแผนที่อยู่อาศัยชุมชน", "en": "Community housing planner"},
    "app_subtitle": {
        "th": "คลองเปรมประชากร · บ้านมั่นคง พอช.",
        "en": "Khlong Prem Prachakorn · CODI Baan Mankong",
    },
    "map": {"th": "แผนที่", "en": "Map"},
    "language": {"th": "ภาษา", "en": "Language"},
    # -- case tracker pages (app/cases_views.py, templates page.html, cases/, dashboard) --
    "logged_out": {"th": "ออกจากระบบแล้ว", "en": "You have logged out."},
    "nav.label": {"th": "เมนูหลัก", "en": "Main menu"},
    "nav.skip": {"th": "ข้ามไปยังเนื้อหา", "en": "Skip to content"},
    "nav.cases": {"th": "รายการกรณี", "en": "Cases"},
    "nav.dashboard": {"th": "ภาพรวมความคืบหน้า", "en": "Dashboard"},
    "nav.new_case": {"th": "เปิดกรณีใหม่", "en": "New case"},
    "nav.login": {"th": "เข้าสู่ระบบ", "en": "Log in"},
    "nav.logout": {"th": "ออกจากระบบ", "en": "Log out"},
    "login.title": {"th": "เข้าสู่ระบบ", "en": "Log in"},
    "login.lead": {
        "th": "สำหรับเจ้าหน้าที่ ผู้แทนชุมชน และเจ้าหน้าที่เขต/เทศบาล",
        "en": "For housing officers, community representatives and municipality staff",
    },
    "login.username": {"th": "ชื่อผู้ใช้", "en": "User name"},
    "login.password": {"th": "รหัสผ่าน", "en": "Password"},
    "login.submit": {"th": "เข้าสู่ระบบ", "en": "Log in"},
    "error.title": {"th": "ทำรายการไม่สำเร็จ", "en": "That did not work"},
    "error.forbidden": {"th": "ไม่มีสิทธิ์เข้าถึง", "en": "Not allowed"},
    "error.not_found": {"th": "ไม่พบข้อมูล", "en": "Not found"},
    "error.stale": {"th": "มีผู้อื่นแก้ไขข้อมูลนี้แล้ว", "en": "Someone else changed this"},
    "error.code": {"th": "รหัสข้อผิดพลาด", "en": "Error code"},
    "error.back_to_cases": {"th": "กลับไปที่รายการกรณี", "en": "Back to the cases"},
    "cases.list_title": {"th": "รายการกรณี", "en": "Cases"},
    "cases.filters": {"th": "ตัวกรอง", "en": "Filters"},
    "cases.search": {"th": "ค้นหา", "en": "Search"},
    "cases.search_hint": {"th": "รหัสกรณี ชื่อชุมชน หรือชื่อกรณี", "en": "Case ref, community or title"},
    "cases.programme": {"th": "โครงการ", "en": "Programme"},
    "cases.district": {"th": "เขต", "en": "District"},
    "cases.stage": {"th": "ขั้นตอน", "en": "Stage"},
    "cases.all": {"th": "ทั้งหมด", "en": "All"},
    "cases.stalled_only": {"th": "เฉพาะกรณีที่ล่าช้า", "en": "Stalled only"},
    "cases.apply": {"th": "แสดงผล", "en": "Apply"},
    "cases.clear": {"th": "ล้างตัวกรอง", "en": "Clear"},
    "cases.found": {"th": "พบ {n} กรณี", "en": "{n} cases"},
    "cases.page_of": {"th": "หน้า {page} จาก {pages}", "en": "page {page} of {pages}"},
    "cases.pages": {"th": "หน้า", "en": "Pages"},
    "cases.prev": {"th": "ก่อนหน้า", "en": "Previous"},
    "cases.next": {"th": "ถัดไป", "en": "Next"},
    "cases.none_found": {"th": "ไม่พบกรณีที่ตรงกับตัวกรอง", "en": "No case matches these filters."},
    "cases.ref": {"th": "รหัสกรณี", "en": "Ref"},
    "cases.community": {"th": "ชุมชน", "en": "Community"},
    "cases.days_in_stage": {"th": "จำนวนวันในขั้นตอน", "en": "Days in stage"},
    "cases.days": {"th": "{n} วัน", "en": "{n} days"},
    "cases.stall_limit": {"th": "เกณฑ์ล่าช้า {n} วัน", "en": "stalled after {n} days"},
    "cases.status": {"th": "สถานะ", "en": "Status"},
    "cases.stalled": {"th": "ล่าช้า", "en": "Stalled"},
    "cases.on_hold": {"th": "หยุดชะงัก", "en": "On hold"},
    "cases.households_agreed_total": {
        "th": "ครัวเรือนยินยอม / ทั้งหมด",
        "en": "Households agreed / total",
    },
    "cases.breadcrumb": {"th": "ตำแหน่งของหน้านี้", "en": "You are here"},
    "cases.case_type": {"th": "ประเภทกรณี", "en": "Case type"},
    "cases.variant": {"th": "ประเภทย่อย", "en": "Variant"},
    "cases.in_stage_since": {"th": "อยู่ในขั้นตอนนี้ตั้งแต่", "en": "In this stage since"},
    "cases.cooperative_name": {"th": "ชื่อสหกรณ์", "en": "Cooperative name"},
    "cases.note": {"th": "หมายเหตุ", "en": "Note"},
    "cases.map_title": {"th": "แผนที่พื้นที่โครงการ", "en": "Site map"},
    "cases.legend": {"th": "คำอธิบายสัญลักษณ์", "en": "Legend"},
    "cases.legend_site": {"th": "ขอบเขตพื้นที่", "en": "Site boundary"},
    "cases.legend_plot": {"th": "แปลงที่ดิน", "en": "Plots"},
    "cases.legend_canal": {"th": "คลองและแนวถอยร่น", "en": "Canal and setback"},
    "cases.map_tools": {"th": "เครื่องมือวาดแผนที่", "en": "Drawing tools"},
    "cases.map_tools_hint": {
        "th": "วาดหรือแก้ไขบนแผนที่ (จุดจะดูดติดกับเส้นที่มีอยู่) แล้วกด “บันทึกแผนที่”",
        "en": "Draw or edit on the map (points snap to existing lines), then press “Save map”.",
    },
    "cases.tool_site": {"th": "วาด/แก้ขอบเขตพื้นที่", "en": "Draw or edit the site"},
    "cases.tool_edit": {"th": "แก้ไขรูปที่วาดไว้", "en": "Edit shapes"},
    "cases.tool_plot": {"th": "วาดแปลงใหม่", "en": "Draw a plot"},
    "cases.tool_place": {"th": "ปักตำแหน่งบ้าน", "en": "Place on the map"},
    "cases.tool_clear": {"th": "ลบแล้ววาดใหม่", "en": "Clear and redraw"},
    "cases.household_to_place": {"th": "ครัวเรือน", "en": "Household"},
    "cases.plot_no": {"th": "เลขแปลง", "en": "Plot no."},
    "cases.plot_kind": {"th": "ประเภท", "en": "Kind"},
    "cases.plot_kind_plot": {"th": "แปลงบ้าน", "en": "House plot"},
    "cases.plot_kind_lane": {"th": "ทางเดิน/ถนน", "en": "Lane"},
    "cases.plot_kind_common": {"th": "พื้นที่ส่วนกลาง", "en": "Common area"},
    "cases.map_save": {"th": "บันทึกแผนที่", "en": "Save map"},
    "cases.map_discard": {"th": "ยกเลิกการแก้ไข", "en": "Discard changes"},
    "cases.stage_title": {"th": "ขั้นตอนของกรณี", "en": "Stage"},
    "cases.move_title": {"th": "ย้ายไปขั้นตอนถัดไป", "en": "Move to another stage"},
    "cases.move_to": {"th": "ย้ายไปขั้นตอน", "en": "Move to"},
    "cases.still_needed": {
        "th": "ก่อนเข้าขั้นตอน “{stage}” ยังต้องมี:",
        "en": "Before “{stage}” the case still needs:",
    },
    "cases.ready_to_move": {"th": "พร้อมเข้าขั้นตอน “{stage}”", "en": "Ready for “{stage}”"},
    "cases.move_on": {"th": "วันที่", "en": "Date"},
    "cases.move_documents": {"th": "แนบเอกสาร (ถ้ามี)", "en": "Attach documents (if any)"},
    "cases.move_submit": {"th": "ย้ายขั้นตอน", "en": "Move the case"},
    "cases.no_moves": {"th": "กรณีนี้อยู่ในขั้นตอนสุดท้ายแล้ว", "en": "This case is at its last stage."},
    "cases.rep_cannot_move": {
        "th": "ผู้แทนชุมชนแก้ไขข้อมูลได้ แต่การย้ายขั้นตอนและงบประมาณทำโดยเจ้าหน้าที่",
        "en": "Community representatives can edit; officers move stages and set budgets.",
    },
    "cases.hold_title": {"th": "การหยุดชะงัก", "en": "Hold"},
    "cases.hold_reason": {"th": "เหตุที่หยุดชะงัก", "en": "Hold reason"},
    "cases.choose": {"th": "— เลือก —", "en": "— choose —"},
    "cases.put_on_hold": {"th": "บันทึกว่าหยุดชะงัก", "en": "Put on hold"},
    "cases.release": {"th": "ดำเนินการต่อ (ยกเลิกการหยุดชะงัก)", "en": "Release the hold"},
    "cases.stale": {
        "th": "มีผู้อื่นแก้ไขข้อมูลนี้ไปแล้วหลังจากที่คุณเปิดหน้านี้ ยังไม่ได้บันทึกสิ่งที่คุณแก้ กรุณาโหลดหน้าใหม่แล้วทำอีกครั้ง",
        "en": "Someone else changed this after you opened the page. Your change was not saved: reload the page and try again.",
    },
    "cases.reload": {"th": "โหลดหน้าใหม่", "en": "Reload"},
    "cases.timeline": {"th": "ลำดับเหตุการณ์", "en": "Timeline"},
    "cases.event_hold": {"th": "หยุดชะงัก", "en": "Put on hold"},
    "cases.event_release": {"th": "ดำเนินการต่อ", "en": "Hold released"},
    "cases.event_opened": {"th": "เปิดกรณี", "en": "Case opened"},
    "cases.by": {"th": "โดย", "en": "by"},
    "cases.budget": {"th": "งบประมาณ (บาท)", "en": "Budget (baht)"},
    "cases.budget_kind": {"th": "รายการ", "en": "Budget line"},
    "cases.planned": {"th": "ตั้งไว้", "en": "Planned"},
    "cases.approved": {"th": "อนุมัติ", "en": "Approved"},
    "cases.disbursed": {"th": "เบิกจ่ายแล้ว", "en": "Disbursed"},
    "cases.baht": {"th": "บาท", "en": "baht"},
    "cases.baht_note": {"th": "จำนวนเงินเป็นบาท", "en": "Amounts in Thai baht."},
    "cases.total": {"th": "รวม", "en": "Total"},
    "cases.save": {"th": "บันทึก", "en": "Save"},
    "cases.no_budget": {"th": "ยังไม่มีงบประมาณ", "en": "No budget yet."},
    "cases.documents": {"th": "เอกสาร", "en": "Documents"},
    "cases.document_kind": {"th": "ประเภทเอกสาร", "en": "Document kind"},
    "cases.file": {"th": "ไฟล์", "en": "File"},
    "cases.size": {"th": "ขนาด", "en": "Size"},
    "cases.uploaded_by": {"th": "ผู้อัปโหลด", "en": "Uploaded by"},
    "cases.uploaded_on": {"th": "วันที่อัปโหลด", "en": "Uploaded on"},
    "cases.no_documents": {"th": "ยังไม่มีเอกสาร", "en": "No documents yet."},
    "cases.upload_title": {"th": "อัปโหลดเอกสาร", "en": "Upload a document"},
    "cases.upload": {"th": "อัปโหลด", "en": "Upload"},
    "cases.households": {"th": "ครัวเรือน", "en": "Households"},
    "cases.households_total": {"th": "ครัวเรือนทั้งหมด", "en": "Households"},
    "cases.households_agreed": {"th": "ยินยอมย้าย", "en": "Agreed to move"},
    "cases.households_counts_only": {
        "th": "ผู้ดูข้อมูลของเขต/เทศบาลเห็นเฉพาะจำนวนครัวเรือน ไม่เห็นข้อมูลรายครัวเรือน",
        "en": "Municipality viewers see household counts only, not households.",
    },
    "cases.household_no": {"th": "ลำดับ", "en": "No."},
    "cases.head_name": {"th": "หัวหน้าครัวเรือน", "en": "Head of household"},
    "cases.members": {"th": "สมาชิก (คน)", "en": "Members"},
    "cases.monthly_income": {"th": "รายได้ต่อเดือน", "en": "Monthly income"},
    "cases.tenure": {"th": "สถานะการครอบครอง", "en": "Tenure"},
    "cases.agreed": {"th": "ยินยอมย้าย", "en": "Agreed to move"},
    "cases.house_status": {"th": "สถานะบ้าน", "en": "House status"},
    "cases.location": {"th": "ตำแหน่ง", "en": "Located"},
    "cases.phone": {"th": "โทรศัพท์", "en": "Phone"},
    "cases.edit": {"th": "แก้ไข", "en": "Edit"},
    "cases.yes": {"th": "ใช่", "en": "Yes"},
    "cases.no": {"th": "ไม่", "en": "No"},
    "cases.add": {"th": "เพิ่ม", "en": "Add"},
    "cases.cancel": {"th": "ยกเลิก", "en": "Cancel"},
    "cases.add_household": {"th": "เพิ่มครัวเรือน", "en": "Add a household"},
    "cases.household_title": {"th": "ครัวเรือนลำดับที่ {no}", "en": "Household {no}"},
    "cases.edit_details": {"th": "แก้ไขรายละเอียดกรณี", "en": "Edit the case details"},
    "cases.title_th": {"th": "ชื่อกรณี (ภาษาไทย)", "en": "Title (Thai)"},
    "cases.title_en": {"th": "ชื่อกรณี (ภาษาอังกฤษ)", "en": "Title (English)"},
    "cases.new_site": {"th": "ขอบเขตพื้นที่โครงการ", "en": "Site boundary"},
    "cases.new_site_hint": {
        "th": "กด “วาด/แก้ขอบเขตพื้นที่” แล้วคลิกที่มุมของพื้นที่ทีละจุด คลิกจุดแรกอีกครั้งเพื่อปิดรูป",
        "en": "Press “Draw or edit the site”, click each corner of the site, and click the first corner again to close it.",
    },
    "cases.create": {"th": "เปิดกรณี", "en": "Open the case"},
    "cases.flash.moved": {"th": "ย้ายขั้นตอนแล้ว", "en": "The case was moved."},
    "cases.flash.held": {"th": "บันทึกการหยุดชะงักแล้ว", "en": "The case is on hold."},
    "cases.flash.released": {"th": "ยกเลิกการหยุดชะงักแล้ว", "en": "The hold was released."},
    "cases.flash.saved": {"th": "บันทึกแล้ว", "en": "Saved."},
    "cases.flash.uploaded": {"th": "อัปโหลดเอกสารแล้ว", "en": "The document was uploaded."},
    "cases.flash.added": {"th": "เพิ่มครัวเรือนแล้ว", "en": "The household was added."},
    "cases.flash.created": {"th": "เปิดกรณีใหม่แล้ว", "en": "The case was opened."},
    "dash.title": {"th": "ภาพรวมความคืบหน้า", "en": "Progress dashboard"},
    "dash.progress": {"th": "ความคืบหน้ารายเขต (จำนวนบ้าน)", "en": "Progress by district (houses)"},
    "dash.progress_hint": {
        "th": "ร้อยละคิดจากครัวเรือนทั้งหมด “สร้างเสร็จ” รวมบ้านที่เข้าอยู่แล้ว",
        "en": "Percentages are of all households. “Finished” includes houses already moved into.",
    },
    "dash.households": {"th": "ครัวเรือนทั้งหมด", "en": "Households"},
    "dash.agreed": {"th": "ยินยอมย้าย", "en": "Agreed to move"},
    "dash.finished": {"th": "สร้างเสร็จ", "en": "Finished"},
    "dash.under_construction": {"th": "กำลังก่อสร้าง", "en": "Under construction"},
    "dash.ready_to_build": {"th": "พร้อมก่อสร้าง", "en": "Ready to build"},
    "dash.not_started": {"th": "ยังไม่เริ่ม", "en": "Not started"},
    "dash.no_households": {"th": "ไม่มีข้อมูลครัวเรือน", "en": "No households."},
    "dash.moved_in_note": {
        "th": "ในจำนวนบ้านที่สร้างเสร็จ เข้าอยู่แล้ว {n} หลัง",
        "en": "Of the houses finished, {n} families have moved in.",
    },
    "dash.chart": {"th": "บ้านที่สร้างเสร็จตามช่วงเวลา", "en": "Houses finished over time"},
    "dash.chart_desc": {
        "th": "บ้านสร้างเสร็จรายเดือน (แท่ง) และยอดสะสม (เส้น) รวม {total} หลัง ตั้งแต่ {first} ถึง {last}",
        "en": "Houses finished per month (bars) and in total (line): {total} from {first} to {last}",
    },
    "dash.cumulative": {"th": "สะสม", "en": "total"},
    "dash.cumulative_axis": {"th": "ยอดสะสม (แกนซ้าย)", "en": "Total so far (left axis)"},
    "dash.monthly_axis": {
        "th": "สร้างเสร็จในเดือน (แกนขวา)",
        "en": "Finished in the month (right axis)",
    },
    "dash.chart_total": {"th": "รวม {n} หลัง", "en": "{n} houses in all"},
    "dash.chart_table": {"th": "ดูเป็นตาราง", "en": "Show as a table"},
    "dash.month": {"th": "เดือน", "en": "Month"},
    "dash.no_finished": {"th": "ยังไม่มีบ้านที่สร้างเสร็จ", "en": "No house finished yet."},
    "dash.stalled": {"th": "กรณีที่ล่าช้า ({n})", "en": "Stalled cases ({n})"},
    "dash.stalled_hint": {
        "th": "กรณีที่อยู่ในขั้นตอนเดิมนานเกินเกณฑ์ของขั้นตอนนั้น เรียงจากล่าช้ามากที่สุด",
        "en": "Cases in their stage for longer than the stage allows, the most overdue first.",
    },
    "dash.no_reason": {"th": "ไม่ได้ระบุเหตุ", "en": "no reason given"},
    "dash.none_stalled": {"th": "ไม่มีกรณีที่ล่าช้า", "en": "No stalled cases."},
    "mapjs.loading": {"th": "กำลังโหลดแผนที่…", "en": "Loading the map…"},
    "mapjs.load_failed": {
        "th": "โหลดแผนที่ไม่สำเร็จ: {error}",
        "en": "Could not load the map: {error}",
    },
    "mapjs.no_site": {"th": "ยังไม่มีขอบเขตพื้นที่", "en": "No site boundary yet"},
    "mapjs.area": {"th": "พื้นที่", "en": "Area"},
    "mapjs.perimeter": {"th": "เส้นรอบรูป", "en": "Perimeter"},
    "mapjs.length": {"th": "ความยาว", "en": "Length"},
    "mapjs.m2": {"th": "ตร.ม.", "en": "m²"},
    "mapjs.sqwa": {"th": "ตร.ว.", "en": "sq. wa"},
    "mapjs.m": {"th": "ม.", "en": "m"},
    "mapjs.site": {"th": "ขอบเขตพื้นที่", "en": "Site boundary"},
    "mapjs.plot": {"th": "แปลง {no}", "en": "Plot {no}"},
    "mapjs.household": {"th": "ครัวเรือน {no}", "en": "Household {no}"},
    "mapjs.pending": {"th": "ยังไม่ได้บันทึก {n} รายการ", "en": "{n} unsaved changes"},
    "mapjs.saving": {"th": "กำลังบันทึก…", "en": "Saving…"},
    "mapjs.saved": {"th": "บันทึกแผนที่แล้ว", "en": "Map saved."},
    "mapjs.save_failed": {"th": "บันทึกไม่สำเร็จ:", "en": "Not saved:"},
    "mapjs.need_plot_no": {"th": "กรุณาใส่เลขแปลงก่อนวาด", "en": "Enter a plot number first."},
    "mapjs.choose_household": {"th": "— เลือกครัวเรือน —", "en": "— choose a household —"},
    "mapjs.unplaced": {"th": "ยังไม่มีตำแหน่ง", "en": "not placed yet"},
    "mapjs.need_household": {"th": "กรุณาเลือกครัวเรือนก่อน", "en": "Choose a household first."},
    "mapjs.delete_plot": {"th": "ลบแปลงนี้", "en": "Delete this plot"},
    "mapjs.confirm_delete": {"th": "ลบแปลง {no} ใช่หรือไม่", "en": "Delete plot {no}?"},
    "mapjs.deleted": {"th": "ลบแปลงแล้ว", "en": "Plot deleted."},
    "mapjs.expired": {
        "th": "หมดเวลาการเข้าสู่ระบบหรือแบบฟอร์มหมดอายุ กรุณาโหลดหน้าใหม่",
        "en": "Your session or the page expired; reload the page.",
    },
    "mapjs.stale": {
        "th": "มีผู้อื่นแก้ไขรูปนี้ไปแล้ว กรุณากด “ยกเลิกการแก้ไข” เพื่อโหลดใหม่แล้วแก้อีกครั้ง",
        "en": "Someone else changed this shape; press “Discard changes” to reload, then edit again.",
    },
    "mapjs.drawing_site": {
        "th": "คลิกที่มุมของพื้นที่ทีละจุด คลิกจุดแรกเพื่อปิดรูป",
        "en": "Click each corner of the site; click the first corner to finish.",
    },
    "mapjs.drawing_plot": {
        "th": "คลิกที่มุมของแปลงทีละจุด (จุดจะดูดติดกับเส้นที่มีอยู่) คลิกจุดแรกเพื่อปิดรูป",
        "en": "Click each corner of the plot (points snap to existing lines); click the first corner to finish.",
    },
    "mapjs.placing": {"th": "คลิกบนแผนที่ที่ตั้งบ้านของ {who}", "en": "Click the map where {who} lives."},
    "mapjs.editing": {
        "th": "ลากจุดมุมหรือหมุดเพื่อแก้ไข แล้วกด “บันทึกแผนที่”",
        "en": "Drag corners or pins to change them, then press “Save map”.",
    },
    "mapjs.site_ready": {"th": "วาดขอบเขตพื้นที่แล้ว", "en": "Site boundary drawn."},
    "mapjs.gm_placeMarker": {"th": "คลิกเพื่อปักหมุด", "en": "Click to place the pin"},
    "mapjs.gm_firstVertex": {"th": "คลิกเพื่อวางจุดแรก", "en": "Click to place the first corner"},
    "mapjs.gm_continueLine": {"th": "คลิกเพื่อวางจุดถัดไป", "en": "Click to place the next corner"},
    "mapjs.gm_finishPoly": {"th": "คลิกจุดแรกเพื่อปิดรูป", "en": "Click the first corner to finish"},
    "mapjs.gm_finish": {"th": "เสร็จ", "en": "Finish"},
    "mapjs.gm_cancel": {"th": "ยกเลิก", "en": "Cancel"},
    "mapjs.gm_removeLastVertex": {"th": "ลบจุดล่าสุด", "en": "Remove last corner"},
}

THAI_MONTHS = [
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
]


def current_language() -> str:
    lang = request.args.get("lang") or request.cookies.get("lang")
    # Thai first: the browser's own language is not consulted, since workshop
    # laptops often run an English system for Thai-speaking users.
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def format_date(
    value: date | datetime | str | None,
    lang: str = DEFAULT_LANGUAGE,
    *,
    buddhist_era: bool | None = None,
) -> str:
    """`2019-04-09` as '9 เม.ย. 2562' in Thai (Buddhist Era) or '9 Apr 2019' in English."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if buddhist_era is None:
        buddhist_era = lang == "th"
    year = value.year + (BUDDHIST_ERA_OFFSET if buddhist_era else 0)
    if lang == "th":
        return f"{value.day} {THAI_MONTHS[value.month - 1]} {year}"
    return f"{value.day} {value.strftime('%b')} {year}{' BE' if buddhist_era else ''}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["thai_date"] = format_date

    @app.context_processor
    def inject_language():
        lang = current_language()
        return {"lang": lang, "strings": STRINGS, "t": lambda key: STRINGS[key][lang]}
