app-name = معاملات
app-tagline = نظام الاتصالات الإدارية وتتبع المعاملات
org-name = أمانة المنطقة الشرقية
loading = جارٍ التحميل…
not-found = الصفحة غير موجودة.
switch-language = English
nav-label = التنقل الرئيسي
nav-inbox = البريد الوارد
nav-register = تسجيل وارد
logout = تسجيل الخروج
login = دخول
username = اسم المستخدم
password = كلمة المرور
retry = إعادة المحاولة
refresh = تحديث
remove = إزالة
more = المزيد
confirm = تأكيد
cancel = إلغاء
saving = جارٍ الحفظ…
draft = مسودة
from = من
to = إلى
sent-at = أُرسلت
due = الاستحقاق
overdue = متأخرة
dwell = المدة
since = منذ
sender = الجهة المرسلة
registered-at = تاريخ القيد
resolution = قرار الحفظ
box-held = لديّ
box-unit = طابور الوحدة
box-sent = الصادر مني
box-copies = للاطلاع
filter-urgent = العاجلة فقط
filter-overdue = المتأخرة فقط
inbox-empty = لا توجد معاملات هنا.
priority-normal = عادية
priority-urgent = عاجلة
priority-very-urgent = عاجلة جداً
confidentiality-normal = عادية
confidentiality-confidential = سرية
confidentiality-top-secret = سرية للغاية
purpose-action = للإجراء
purpose-information = للاطلاع
purpose-opinion = لإبداء الرأي
purpose-signature = للتوقيع
status-draft = مسودة
status-open = مفتوحة
status-closed = محفوظة
status-archived = مؤرشفة
referral-sent = مرسلة
referral-received = مستلمة
referral-completed = منجزة
referral-forwarded = أُحيلت
referral-returned = أُعيدت
referral-closed = أُغلقت بالحفظ
targets = الإحالة إلى
unit-search = ابحث عن وحدة بالاسم
target-user = الموظف
target-unit-queue = طابور الوحدة (بلا موظف محدد)
purpose = الغرض
instructions = التأشيرة
add-target = إضافة
register-title = تسجيل معاملة واردة
register-submit = تسجيل وإحالة
registered-title = سُجّلت المعاملة
print-label = طباعة الملصق
open-transaction = فتح المعاملة
register-another = تسجيل معاملة أخرى
location = الموقع الحالي
route = مسار المعاملة
timeline = السجل الزمني
waiting = انتظار
working = عمل
actions = الإجراءات
action-receive = استلام
action-forward = إحالة
action-complete = إنجاز
action-return = إعادة للمُحيل
action-refer = إحالة إضافية
action-annotate = إضافة ملاحظة
action-close = حفظ المعاملة
action-reopen = إعادة فتح
close-blocked = لا يمكن الحفظ: { $n ->
    [one] توجد إحالة واحدة للإجراء مفتوحة لدى آخرين.
    [two] توجد إحالتان للإجراء مفتوحتان لدى آخرين.
    [few] توجد { $n } إحالات للإجراء مفتوحة لدى آخرين.
   *[other] توجد { $n } إحالة للإجراء مفتوحة لدى آخرين.
}
conflict-explained = قام شخص آخر بإجراء على هذه المعاملة قبل لحظات. حدّث الصفحة لترى وضعها الحالي.
event-registered = قُيّدت
event-draft-created = أُنشئت مسودة
event-draft-updated = عُدّلت المسودة
event-referred = أُحيلت
event-received = استُلمت
event-forwarded = أُحيلت إلى غيره
event-returned = أُعيدت
event-completed = أُنجزت
event-annotated = ملاحظة
event-decision-recorded = قرار
event-closed = حُفظت
event-reopened = أُعيد فتحها
event-archived = أُرشفت
event-linked = رُبطت بمعاملة
field-external-entity-id = الجهة المرسلة
field-sender-reference = رقم خطاب الجهة
field-sender-reference-date = تاريخ خطاب الجهة
field-subject = الموضوع
field-summary = الملخص
field-priority = الأولوية
field-confidentiality = درجة السرية
field-due-at = تاريخ الاستحقاق
field-attachments-count = عدد المرفقات الورقية
field-referrals = الإحالات
field-targets = الإحالات
field-note = ملاحظة
field-text = الملاحظة
field-action-note = ما تم من إجراء
field-resolution = قرار الحفظ
field-reason = سبب إعادة الفتح
field-annotation = الملاحظة
field-username = اسم المستخدم
field-password = كلمة المرور
reason-required = مطلوب
reason-too-long = أطول من المسموح
reason-not-found = غير موجود
reason-disabled = معطّل
reason-invalid = غير صالح
reason-wrong-type = نوع القيمة غير صحيح
reason-unknown-field = حقل غير معروف
reason-out-of-range = خارج النطاق المسموح
reason-above-clearance = أعلى من صلاحيتك في السرية
reason-not-allowed = غير مسموح هنا
duration-days = { $n ->
    [one] يوم واحد
    [two] يومان
    [few] { $shown } أيام
   *[other] { $shown } يوم
}
duration-hours = { $n ->
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $shown } ساعات
   *[other] { $shown } ساعة
}
duration-minutes = { $n ->
    [zero] أقل من دقيقة
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $shown } دقائق
   *[other] { $shown } دقيقة
}
duration-separator = {" "}و
error-unknown = تعذّر تنفيذ الطلب.
error-network = تعذّر الاتصال بالخادم. تحقّق من الشبكة ثم أعد المحاولة.
error-malformed-json = الطلب غير سليم.
error-validation-failed = يرجى تصحيح الحقول التالية:
error-payload-too-large = البيانات المرسلة أكبر من المسموح.
error-unsupported-media-type = نوع البيانات غير مدعوم.
error-invalid-parameter = معامل غير صالح في الطلب.
error-unauthenticated = يلزم تسجيل الدخول.
error-invalid-token = انتهت الجلسة؛ سجّل الدخول مجدداً.
error-invalid-credentials = اسم المستخدم أو كلمة المرور غير صحيحة.
error-invalid-refresh-token = انتهت الجلسة؛ سجّل الدخول مجدداً.
error-account-disabled = هذا الحساب معطّل.
error-forbidden = ليست لديك صلاحية لهذا الإجراء.
error-route-not-found = غير موجود.
error-method-not-allowed = إجراء غير مسموح.
error-transaction-not-found = المعاملة غير موجودة أو لا تملك صلاحية الاطلاع عليها.
error-referral-not-found = الإحالة غير موجودة.
error-unit-not-found = الوحدة غير موجودة.
error-user-not-found = المستخدم غير موجود.
error-external-entity-not-found = الجهة غير موجودة.
error-already-exists = موجود مسبقاً.
error-unit-cycle = لا يمكن نقل الوحدة تحت نفسها.
error-disabled = الوحدة أو المستخدم معطّل.
error-referral-not-held = هذه الإحالة ليست لديك.
error-referral-already-received = استُلمت هذه الإحالة من قبل.
error-referral-already-completed = أُنجزت هذه الإحالة أو أُحيلت من قبل، ربما قبل لحظات من شخص آخر.
error-version-conflict = تغيّرت المعاملة منذ فتحتها.
error-transaction-closed = المعاملة محفوظة؛ أعد فتحها أولاً.
error-transaction-archived = المعاملة مؤرشفة ولا يمكن تغييرها.
error-transaction-not-closed = المعاملة ليست محفوظة.
error-transaction-not-draft = المعاملة ليست مسودة.
error-transaction-is-draft = المعاملة مسودة؛ أرسلها أولاً.
error-open-action-referrals = لا يمكن الحفظ وهناك إحالات للإجراء مفتوحة.
error-idempotency-key-reused = أُرسل هذا الطلب من قبل ببيانات مختلفة.
error-service-unavailable = الخدمة غير متاحة مؤقتاً؛ أعد المحاولة بعد قليل.
error-internal-error = حدث خطأ في الخادم وسُجّل.
