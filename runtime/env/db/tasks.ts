/**
 * Procedural db tasks (AgentBench DB-like): a generated database (three domains: company, shop,
 * school) and a question or a change, each with reference SQL — the Task Derivation recipe, where
 * the reference SQL is the teacher. Selects are judged by their answer, modifications by comparing
 * every table with the reference SQL applied to another copy.
 */
import type { Rng } from "../sandbox/random.ts";

export type Cell = string | number | null;

export interface TableData {
  name: string;
  /** The CREATE TABLE statement. */
  schema: string;
  rows: Cell[][];
}

export interface DbTaskData {
  domain: "company" | "shop" | "school";
  template: string;
  tables: TableData[];
  kind: "select" | "modify";
  referenceSql: string;
  /** Select tasks: whether the answer's order matters (ORDER BY questions). */
  ordered: boolean;
}

export interface DbCandidate {
  instruction: string;
  data: DbTaskData;
}

const firstNames = [
  "Ada",
  "Ben",
  "Cleo",
  "Dan",
  "Eva",
  "Finn",
  "Gus",
  "Hana",
  "Ines",
  "Jon",
  "Kai",
  "Lena",
  "Milo",
  "Nora",
  "Omar",
  "Pia",
  "Quin",
  "Rosa",
  "Sam",
  "Tara",
  "Uma",
  "Vik",
  "Wren",
  "Yara",
  "Zed",
];
const lastNames = [
  "Reed",
  "Stone",
  "Park",
  "Ortiz",
  "Khan",
  "Berg",
  "Lund",
  "Moss",
  "Ito",
  "Cole",
  "Diaz",
  "Nash",
];
const cities = ["Berlin", "Lisbon", "Oslo", "Quito", "Seoul", "Lima", "Accra", "Perth"];
const departmentNames = ["Sales", "Research", "Support", "Finance", "Legal", "Design", "Operations"];
const products = [
  "lamp",
  "desk",
  "chair",
  "kettle",
  "router",
  "monitor",
  "backpack",
  "stapler",
  "mug",
  "headset",
];
const statuses = ["pending", "shipped", "delivered", "cancelled"];
const courseTitles = [
  "Algebra",
  "Biology",
  "Chemistry",
  "Drawing",
  "Economics",
  "French",
  "Geology",
  "History",
];

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;

function people(rng: Rng, count: number): string[] {
  const all = firstNames.flatMap((first) => lastNames.map((last) => `${first} ${last}`));
  return rng.sample(all, count);
}

// --- company -----------------------------------------------------------------------------------

function companyTables(rng: Rng): { departments: string[]; tables: TableData[] } {
  const departments = rng.sample(departmentNames, rng.int(3, 5));
  const names = people(rng, rng.int(8, 18));
  const salaries = rng.sample(
    Array.from({ length: 120 }, (_, i) => 30000 + i * 500),
    names.length,
  );
  return {
    departments,
    tables: [
      {
        name: "departments",
        schema: "CREATE TABLE departments (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL)",
        rows: departments.map((name, i) => [i + 1, name, rng.pick(cities)]),
      },
      {
        name: "employees",
        schema:
          "CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT NOT NULL, department_id INTEGER REFERENCES departments(id), salary INTEGER NOT NULL, hire_year INTEGER NOT NULL)",
        rows: names.map((name, i) => [
          i + 1,
          name,
          rng.int(1, departments.length),
          salaries[i],
          rng.int(2010, 2024),
        ]),
      },
    ],
  };
}

function company(rng: Rng): DbCandidate {
  const { departments, tables } = companyTables(rng);
  const department = rng.pick(departments);
  const inDepartment = `department_id = (SELECT id FROM departments WHERE name = ${sqlString(department)})`;
  const year = rng.int(2012, 2022);
  const base = { domain: "company" as const, tables };
  switch (rng.int(0, 6)) {
    case 0:
      return {
        instruction: `How many employees work in the ${department} department?`,
        data: {
          ...base,
          template: "count-in-department",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT COUNT(*) FROM employees WHERE ${inDepartment}`,
        },
      };
    case 1:
      return {
        instruction: `What is the average salary in the ${department} department, rounded to 2 decimals? (Answer 0 if it has no employees.)`,
        data: {
          ...base,
          template: "average-salary",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT ROUND(COALESCE(AVG(salary), 0), 2) FROM employees WHERE ${inDepartment}`,
        },
      };
    case 2:
      return {
        instruction: `List the names of all employees hired after ${year} (hire_year > ${year}).`,
        data: {
          ...base,
          template: "hired-after",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT name FROM employees WHERE hire_year > ${year}`,
        },
      };
    case 3:
      return {
        instruction: "Which three employees earn the most? List their names from the highest salary down.",
        data: {
          ...base,
          template: "top-earners",
          kind: "select",
          ordered: true,
          referenceSql: "SELECT name FROM employees ORDER BY salary DESC LIMIT 3",
        },
      };
    case 4: {
      const amount = rng.int(1, 40) * 100;
      return {
        instruction: `Give every employee of the ${department} department a raise of ${amount} (add ${amount} to salary).`,
        data: {
          ...base,
          template: "raise-department",
          kind: "modify",
          ordered: false,
          referenceSql: `UPDATE employees SET salary = salary + ${amount} WHERE ${inDepartment}`,
        },
      };
    }
    case 5:
      return {
        instruction: `Delete every employee hired before ${year} (hire_year < ${year}).`,
        data: {
          ...base,
          template: "delete-hired-before",
          kind: "modify",
          ordered: false,
          referenceSql: `DELETE FROM employees WHERE hire_year < ${year}`,
        },
      };
    default: {
      const [name] = people(rng, 1);
      const salary = rng.int(60, 200) * 500;
      return {
        instruction: `Add a new employee named ${name} to the ${department} department with salary ${salary} and hire_year 2025 (let the id be assigned automatically).`,
        data: {
          ...base,
          template: "insert-employee",
          kind: "modify",
          ordered: false,
          referenceSql: `INSERT INTO employees (name, department_id, salary, hire_year) VALUES (${sqlString(name)}, (SELECT id FROM departments WHERE name = ${sqlString(department)}), ${salary}, 2025)`,
        },
      };
    }
  }
}

// --- shop --------------------------------------------------------------------------------------

function shop(rng: Rng): DbCandidate {
  const customerNames = people(rng, rng.int(5, 12));
  const customers = customerNames.map((name, i): Cell[] => [i + 1, name, rng.pick(cities)]);
  const orders = Array.from({ length: rng.int(10, 30) }, (_, i): Cell[] => [
    i + 1,
    rng.int(1, customers.length),
    rng.pick(products),
    rng.int(5, 900),
    rng.pick(statuses),
  ]);
  const tables: TableData[] = [
    {
      name: "customers",
      schema: "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT NOT NULL)",
      rows: customers,
    },
    {
      name: "orders",
      schema:
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), product TEXT NOT NULL, amount INTEGER NOT NULL, status TEXT NOT NULL)",
      rows: orders,
    },
  ];
  const customer = rng.pick(customerNames);
  const city = rng.pick(customers)[2] as string;
  const status = rng.pick(statuses);
  const base = { domain: "shop" as const, tables };
  switch (rng.int(0, 5)) {
    case 0:
      return {
        instruction: `What is the total amount of all orders placed by ${customer}? (Answer 0 if there are none.)`,
        data: {
          ...base,
          template: "customer-total",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT COALESCE(SUM(o.amount), 0) FROM orders o JOIN customers c ON o.customer_id = c.id WHERE c.name = ${sqlString(customer)}`,
        },
      };
    case 1:
      return {
        instruction: `How many orders have the status '${status}'?`,
        data: {
          ...base,
          template: "count-status",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT COUNT(*) FROM orders WHERE status = ${sqlString(status)}`,
        },
      };
    case 2:
      return {
        instruction: `Which distinct products were ordered by customers living in ${city}?`,
        data: {
          ...base,
          template: "products-by-city",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT DISTINCT o.product FROM orders o JOIN customers c ON o.customer_id = c.id WHERE c.city = ${sqlString(city)}`,
        },
      };
    case 3:
      return {
        instruction: `Mark every 'pending' order of customers living in ${city} as 'cancelled'.`,
        data: {
          ...base,
          template: "cancel-pending",
          kind: "modify",
          ordered: false,
          referenceSql: `UPDATE orders SET status = 'cancelled' WHERE status = 'pending' AND customer_id IN (SELECT id FROM customers WHERE city = ${sqlString(city)})`,
        },
      };
    case 4: {
      const limit = rng.int(50, 400);
      return {
        instruction: `Delete all orders with an amount below ${limit}.`,
        data: {
          ...base,
          template: "delete-small-orders",
          kind: "modify",
          ordered: false,
          referenceSql: `DELETE FROM orders WHERE amount < ${limit}`,
        },
      };
    }
    default:
      return {
        instruction: `List the names of customers who have at least one order with the status '${status}'.`,
        data: {
          ...base,
          template: "customers-with-status",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT DISTINCT c.name FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status = ${sqlString(status)}`,
        },
      };
  }
}

// --- school ------------------------------------------------------------------------------------

function school(rng: Rng): DbCandidate {
  const studentNames = people(rng, rng.int(6, 14));
  const titles = rng.sample(courseTitles, rng.int(3, 5));
  const enrollments: Cell[][] = [];
  studentNames.forEach((_, s) => {
    for (const c of rng.sample(
      titles.map((_, i) => i + 1),
      rng.int(1, titles.length),
    )) {
      enrollments.push([s + 1, c, rng.int(40, 100)]);
    }
  });
  const tables: TableData[] = [
    {
      name: "students",
      schema:
        "CREATE TABLE students (id INTEGER PRIMARY KEY, name TEXT NOT NULL, grade_level INTEGER NOT NULL)",
      rows: studentNames.map((name, i) => [i + 1, name, rng.int(9, 12)]),
    },
    {
      name: "courses",
      schema: "CREATE TABLE courses (id INTEGER PRIMARY KEY, title TEXT NOT NULL, credits INTEGER NOT NULL)",
      rows: titles.map((title, i) => [i + 1, title, rng.int(2, 6)]),
    },
    {
      name: "enrollments",
      schema:
        "CREATE TABLE enrollments (student_id INTEGER REFERENCES students(id), course_id INTEGER REFERENCES courses(id), score INTEGER NOT NULL)",
      rows: enrollments,
    },
  ];
  const course = rng.pick(titles);
  const inCourse = `course_id = (SELECT id FROM courses WHERE title = ${sqlString(course)})`;
  const base = { domain: "school" as const, tables };
  switch (rng.int(0, 5)) {
    case 0:
      return {
        instruction: `What is the average score in ${course}, rounded to 2 decimals?`,
        data: {
          ...base,
          template: "average-score",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT ROUND(AVG(score), 2) FROM enrollments WHERE ${inCourse}`,
        },
      };
    case 1:
      return {
        instruction: `List the names of the students enrolled in ${course}.`,
        data: {
          ...base,
          template: "students-in-course",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT s.name FROM students s JOIN enrollments e ON e.student_id = s.id WHERE e.${inCourse}`,
        },
      };
    case 2: {
      const level = rng.int(9, 12);
      return {
        instruction: `How many students are in grade level ${level}?`,
        data: {
          ...base,
          template: "count-grade",
          kind: "select",
          ordered: false,
          referenceSql: `SELECT COUNT(*) FROM students WHERE grade_level = ${level}`,
        },
      };
    }
    case 3: {
      const bonus = rng.int(1, 10);
      return {
        instruction: `Add ${bonus} points to every score in ${course}, but never above 100 (cap the result at 100).`,
        data: {
          ...base,
          template: "curve-course",
          kind: "modify",
          ordered: false,
          referenceSql: `UPDATE enrollments SET score = MIN(100, score + ${bonus}) WHERE ${inCourse}`,
        },
      };
    }
    case 4: {
      const title = rng.pick(["Music", "Physics", "Poetry", "Robotics", "Statistics"]);
      const credits = rng.int(1, 6);
      return {
        instruction: `Add a course titled ${title} worth ${credits} credits (let the id be assigned automatically).`,
        data: {
          ...base,
          template: "insert-course",
          kind: "modify",
          ordered: false,
          referenceSql: `INSERT INTO courses (title, credits) VALUES (${sqlString(title)}, ${credits})`,
        },
      };
    }
    default: {
      const threshold = rng.int(45, 70);
      return {
        instruction: `Remove every enrollment with a score below ${threshold}.`,
        data: {
          ...base,
          template: "drop-low-scores",
          kind: "modify",
          ordered: false,
          referenceSql: `DELETE FROM enrollments WHERE score < ${threshold}`,
        },
      };
    }
  }
}

export const dbDomains = { company, shop, school } satisfies Record<string, (rng: Rng) => DbCandidate>;
export type DbDomain = keyof typeof dbDomains;
export const dbDomainNames = Object.keys(dbDomains) as DbDomain[];

/**
 * Each domain's task templates (the `template` of the tasks it draws) and their kind, for the
 * `templates` option and its check against `kinds`. A test fails if this drifts from the generators.
 */
export const dbTemplateKinds: Record<DbDomain, Readonly<Record<string, "select" | "modify">>> = {
  company: {
    "count-in-department": "select",
    "average-salary": "select",
    "hired-after": "select",
    "top-earners": "select",
    "raise-department": "modify",
    "delete-hired-before": "modify",
    "insert-employee": "modify",
  },
  shop: {
    "customer-total": "select",
    "count-status": "select",
    "products-by-city": "select",
    "cancel-pending": "modify",
    "delete-small-orders": "modify",
    "customers-with-status": "select",
  },
  school: {
    "average-score": "select",
    "students-in-course": "select",
    "count-grade": "select",
    "curve-course": "modify",
    "insert-course": "modify",
    "drop-low-scores": "modify",
  },
};

/** Each domain's template names, in the order above. */
export const dbTemplateNames: Record<DbDomain, readonly string[]> = {
  company: Object.keys(dbTemplateKinds.company),
  shop: Object.keys(dbTemplateKinds.shop),
  school: Object.keys(dbTemplateKinds.school),
};
